import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { BucketSpec, bucketSpecKey } from '../common/aggregation-window';
import { CandleSource } from '../common/enums';
import { SeriesRef, Span } from '../common/series';
import { chunkStart, nextChunkStart, planAggregate } from './aggregate-chunks';
import {
  Candle,
  CandleBucket,
  CandleBulkWriter,
  CandleStore,
  CandleStoreHealth,
  StoredCandle,
  StoredExtent,
} from './candle-store';
import { CandleWriteVersionRepository } from './candle-write-version.repository';

/**
 * Estimated heap bytes of one cached bucket (the object with its nine fields, six of them boxed doubles, and its
 * array slot: ~200 measured on Node 20) and of one chunk's entry beyond its buckets (key, cache bookkeeping).
 */
const BUCKET_BYTES = 208;
const ENTRY_BYTES = 256;
/** Edge candles kept (first/last candle of a span, or none): a few hundred bytes each. */
const MAX_EDGES = 10_000;

/** The first index of `buckets` (ascending by ts) whose ts is at least `ts`. */
function lowerBound(buckets: readonly CandleBucket[], ts: number): number {
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (buckets[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The CandleStore with aggregates of whole buckets kept in memory, exactly: a decorator of the configured store.
 *
 * Every write (upsert, a bulk writer's commit, deleteRange) raises the series' write version in the state
 * database once the store has made it visible (candle_series_versions, shared by every process); a write whose
 * version cannot be raised fails. aggregate() reads the version first, then serves the whole buckets of the span
 * from aligned chunks (aggregate-chunks.ts) cached under it — each computed by the store over the whole chunk —
 * and asks the store for the at most two buckets the span's ends cut. A chunk computed after the version was
 * read holds no write older than that version; a reader after a write reads a newer version and never sees a
 * chunk cached before it. The buckets returned are shared with the cache and frozen: callers must not mutate
 * them (the array itself is the caller's).
 */
export class CachedCandleStore extends CandleStore implements OnApplicationShutdown {
  readonly kind: 'postgres' | 'questdb';
  private readonly logger = new Logger(CachedCandleStore.name);
  private readonly cache: LRUCache<string, readonly CandleBucket[]> | null;
  /** Chunks being computed, by key: concurrent requests for one chunk share one query. */
  private readonly computing = new Map<string, Promise<readonly CandleBucket[]>>();
  /** First/last candle of a span by series, span and write version; null: the span holds none. */
  private readonly edges: LRUCache<string, { candle: Readonly<Candle> | null }> | null;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly inner: CandleStore,
    private readonly versions: CandleWriteVersionRepository,
    /** Bound of the cache's estimated size; 0: no cache (writes still raise versions). */
    maxBytes: number,
  ) {
    super();
    this.kind = inner.kind;
    this.cache =
      maxBytes > 0
        ? new LRUCache<string, readonly CandleBucket[]>({
            maxSize: maxBytes,
            sizeCalculation: (buckets) => ENTRY_BYTES + buckets.length * BUCKET_BYTES,
          })
        : null;
    this.edges = maxBytes > 0 ? new LRUCache({ max: MAX_EDGES }) : null;
  }

  /** Chunks served from the cache and computed by the store, since the start; the bytes the cache estimates. */
  cacheStats(): { hits: number; misses: number; bytes: number } {
    return { hits: this.hits, misses: this.misses, bytes: this.cache?.calculatedSize ?? 0 };
  }

  ensureSchema(): Promise<void> {
    return this.inner.ensureSchema();
  }

  upsert(series: SeriesRef, candles: readonly Candle[], source: CandleSource): Promise<number> {
    return this.written(
      series,
      () => this.inner.upsert(series, candles, source),
      () => candles.length > 0,
    );
  }

  async bulkWriter(series: SeriesRef, source: CandleSource): Promise<CandleBulkWriter> {
    const writer = await this.inner.bulkWriter(series, source);
    return {
      write: (candle) => writer.write(candle),
      commit: () =>
        this.written(
          series,
          () => writer.commit(),
          (n) => n > 0,
        ),
      abort: () => writer.abort(),
    };
  }

  deleteRange(series: SeriesRef, span: Span): Promise<number> {
    return this.written(
      series,
      () => this.inner.deleteRange(series, span),
      (n) => n > 0,
    );
  }

  count(series: SeriesRef, span?: Span): Promise<number> {
    return this.inner.count(series, span);
  }

  extent(series: SeriesRef, span?: Span): Promise<StoredExtent | null> {
    return this.inner.extent(series, span);
  }

  /**
   * Cached under the series' write version like the aggregates (the version read first, the store after): the
   * latest candle and the probes of a page ask the state database one indexed row instead of the store.
   */
  async edgeCandle(series: SeriesRef, span: Span, edge: 'first' | 'last'): Promise<Candle | null> {
    const edges = this.edges;
    if (!edges) return this.inner.edgeCandle(series, span, edge);
    const version = await this.versions.current(series);
    const key = `${series.assetId}:${series.intervalMinutes}|${edge}|${span.from}|${span.to}|${version}`;
    const cached = edges.get(key);
    if (cached) return cached.candle && { ...cached.candle };
    const candle = await this.inner.edgeCandle(series, span, edge);
    edges.set(key, { candle: candle && Object.freeze({ ...candle }) });
    return candle;
  }

  read(series: SeriesRef, span: Span, limit?: number): Promise<Candle[]> {
    return this.inner.read(series, span, limit);
  }

  readStored(series: SeriesRef, span: Span, limit?: number): Promise<StoredCandle[]> {
    return this.inner.readStored(series, span, limit);
  }

  health(): Promise<CandleStoreHealth> {
    return this.inner.health();
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.cache?.clear();
    this.edges?.clear();
    const inner = this.inner as CandleStore & Partial<OnApplicationShutdown>;
    await inner.onApplicationShutdown?.(signal);
  }

  async aggregate(series: SeriesRef, span: Span, bucket: BucketSpec): Promise<CandleBucket[]> {
    const cache = this.cache;
    if (!cache) return this.inner.aggregate(series, span, bucket);
    const step = series.intervalMinutes * 60;
    const plan = planAggregate(bucket, span, step);
    const whole = plan.whole;
    if (!whole) return this.inner.aggregate(series, span, bucket);
    const version = await this.versions.current(series);
    const prefix = `${series.assetId}:${series.intervalMinutes}|${bucketSpecKey(bucket)}|${version}|`;
    const chunks: Array<Promise<readonly CandleBucket[]>> = [];
    let hits = 0;
    for (let c = chunkStart(bucket, whole.start, step); c < whole.end; c = nextChunkStart(bucket, c, step)) {
      const key = prefix + c;
      const cached = cache.get(key);
      if (cached) hits++;
      chunks.push(
        cached
          ? Promise.resolve(cached)
          : this.compute(cache, key, series, { from: c, to: nextChunkStart(bucket, c, step) - 1 }, bucket),
      );
    }
    const [head, tail, ...parts] = await Promise.all([
      plan.head ? this.inner.aggregate(series, plan.head, bucket) : [],
      plan.tail ? this.inner.aggregate(series, plan.tail, bucket) : [],
      ...chunks,
    ]);
    this.hits += hits;
    this.misses += parts.length - hits;
    this.logger.debug(
      `${series.symbol} ${series.intervalMinutes}m ${bucketSpecKey(bucket)} v${version}: ${hits} of ${parts.length} ` +
        `chunks cached (${cache.size} chunks, ~${Math.round(cache.calculatedSize / 1024)} KiB)`,
    );
    const out: CandleBucket[] = [...head];
    for (const [i, buckets] of parts.entries()) {
      const from = i === 0 ? lowerBound(buckets, whole.start) : 0;
      const to = i === parts.length - 1 ? lowerBound(buckets, whole.end) : buckets.length;
      for (let j = from; j < to; j++) out.push(buckets[j]!);
    }
    for (const b of tail) out.push(b);
    return out;
  }

  /** A chunk's buckets by the store, frozen and cached under `key`; one query for concurrent requests of it. */
  private compute(
    cache: LRUCache<string, readonly CandleBucket[]>,
    key: string,
    series: SeriesRef,
    span: Span,
    bucket: BucketSpec,
  ): Promise<readonly CandleBucket[]> {
    let pending = this.computing.get(key);
    if (!pending) {
      pending = this.inner
        .aggregate(series, span, bucket)
        .then((buckets) => {
          const frozen = Object.freeze(buckets.map((b) => Object.freeze(b)));
          cache.set(key, frozen);
          return frozen;
        })
        .finally(() => this.computing.delete(key));
      this.computing.set(key, pending);
    }
    return pending;
  }

  /**
   * Runs a write, then raises the series' version — also after a failed write, part of which may be visible (a
   * QuestDB upsert of several requests); a version that cannot be raised after a write fails it.
   */
  private async written<T>(series: SeriesRef, write: () => Promise<T>, changed: (result: T) => boolean): Promise<T> {
    let result: T;
    try {
      result = await write();
    } catch (e) {
      await this.versions
        .bump(series)
        .catch((bump: Error) => this.logger.warn(`after a failed write: ${bump.message}`));
      throw e;
    }
    if (changed(result)) await this.versions.bump(series);
    return result;
  }
}
