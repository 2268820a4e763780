import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { CandleWriteVersionRepository } from '../candles/candle-write-version.repository';
import { BucketSpec, bucketSpecKey, bucketStart } from '../common/aggregation-window';
import { SeriesRef, Span } from '../common/series';
import { AppConfig } from '../config/app-config';
import { BucketView, FillMode } from './bucket-completeness';

/** A page of buckets as TimeseriesService.query answers it, frozen (shared by every request of the same key). */
export interface BucketPage {
  readonly data: readonly BucketView[];
  /** Buckets the fill can emit follow the page in the requested span (next_cursor). */
  readonly more: boolean;
}

/** What a page is a function of besides the series' candles (their write version is read here). */
export interface PageInputs {
  spec: BucketSpec;
  fill: FillMode;
  limit: number;
  /** Open time of the page's first bucket; the last requested bucket's open time; the end of that bucket. */
  pos: number;
  lastStart: number;
  end: number;
  /** The source interval in seconds and its merged coverage. */
  step: number;
  covered: readonly Span[];
  now: number;
}

/**
 * Estimated heap bytes per bucket of a cached page: the view object (~250) and its share of the page's JSON that
 * the API keeps beside it (~230).
 */
const PAGE_BUCKET_BYTES = 480;
/** The share of AGGREGATE_CACHE_MB pages may take (the aggregate chunks they are built from have the rest). */
const PAGE_CACHE_SHARE = 0.25;

/**
 * Whole pages of buckets kept exactly: the key holds everything a page is computed from — the series and its
 * write version (the candles: aggregates, the probes and the close before the page), the buckets asked (spec,
 * first, last, limit, fill), the coverage inside them (complete, fill) and which of them have closed at now. A
 * hit answers with no store query and no bucket assembly, and hands the API the same frozen array (it keeps the
 * page's JSON by that identity). The version is read before anything is computed, as the aggregate cache does:
 * a page computed after it holds no write older than it.
 */
@Injectable()
export class BucketPageCache {
  private readonly pages: LRUCache<string, BucketPage> | null;

  constructor(
    private readonly versions: CandleWriteVersionRepository,
    config: AppConfig,
  ) {
    const bytes = Math.floor(config.server.aggregateCacheMb * 1024 * 1024 * PAGE_CACHE_SHARE);
    this.pages =
      bytes > 0
        ? new LRUCache<string, BucketPage>({
            maxSize: bytes,
            sizeCalculation: (page) => 256 + page.data.length * PAGE_BUCKET_BYTES,
          })
        : null;
  }

  /** The page's key (one read of the series' write version), or null when the cache is off. */
  async keyOf(series: SeriesRef, p: PageInputs): Promise<string | null> {
    if (!this.pages) return null;
    const version = await this.versions.current(series);
    // Buckets opening before the one holding now have closed; clamped to the page, it changes once per bucket.
    const closedBefore = Math.min(Math.max(bucketStart(p.spec, p.now), p.pos), p.end);
    // Coverage clipped to the page's candle open times decides complete and the fill of every bucket in it.
    const last = p.end - p.step;
    let covered = '';
    for (const s of p.covered)
      if (s.to >= p.pos && s.from <= last) covered += `${Math.max(s.from, p.pos)}-${Math.min(s.to, last)},`;
    return (
      `${series.assetId}:${series.intervalMinutes}|v${version}|${bucketSpecKey(p.spec)}|${p.fill}|${p.limit}|` +
      `${p.pos}|${p.lastStart}|c${closedBefore}|${covered}`
    );
  }

  get(key: string): BucketPage | undefined {
    return this.pages?.get(key);
  }

  /** Freezes the page and keeps it under `key`. */
  set(key: string, data: BucketView[], more: boolean): BucketPage {
    for (const b of data) Object.freeze(b);
    const page: BucketPage = Object.freeze({ data: Object.freeze(data), more });
    this.pages?.set(key, page);
    return page;
  }
}
