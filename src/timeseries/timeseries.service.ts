import { Injectable, Logger } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { AssetRepository } from '../assets/asset.repository';
import { CandleBucket, CandleStore, CandleStoreHealth } from '../candles/candle-store';
import {
  AggregationWindow,
  bucketSpec,
  BucketSpec,
  bucketStart,
  nextBucketStart,
  WeekStart,
} from '../common/aggregation-window';
import { Clock } from '../common/clock';
import { INTERVALS, OPEN_GAP_STATUSES } from '../common/enums';
import { UsageError } from '../common/errors';
import { SeriesRef, seriesKey, Span } from '../common/series';
import { isoOfSeconds } from '../common/time';
import { AppConfig } from '../config/app-config';
import { mergeSpans } from '../coverage/coverage-math';
import { CoverageRepository, rangeSpan } from '../coverage/coverage.repository';
import { SeriesRepository } from '../coverage/series.repository';
import { Asset } from '../entities/asset.entity';
import { lastClosedCandle } from '../gaps/fillability';
import { GapRepository } from '../gaps/gap.repository';
import {
  assembleBuckets,
  BucketBounds,
  BucketView,
  coveredSeconds,
  FillMode,
  TimedCandle,
} from './bucket-completeness';
import { BucketPage, BucketPageCache } from './bucket-page-cache';
import { OhlcvColumns, toOhlcvColumns } from './ohlcv-columns';
import { alignSeries, CompareAlign, CompareField } from './compare-alignment';
import { tilingIntervals } from './source-interval';
import { isStale } from '../coverage/staleness-rule';
import { decodeCursor, encodeCursor } from './timeseries-input';
import { InvalidCursorError, NoClosedCandleError, NoSourceSeriesError } from './timeseries.errors';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 5000;
/** Compare answers in one piece: at most this many buckets per symbol. */
export const MAX_COMPARE_BUCKETS = 5000;

export interface TimeseriesQuery {
  /** Any accepted symbol form (BTC-USD-SPOT, XXBTZUSD, XBTUSD, XBT/USD). */
  symbol: string;
  window: AggregationWindow;
  weekStart?: WeekStart;
  /** Inclusive bounds on bucket open times, epoch seconds; default: the source series' first held candle, now. */
  from?: number;
  to?: number;
  fill?: FillMode;
  limit?: number;
  cursor?: string;
}

export interface CoverageSummary {
  /** Seconds of the requested buckets that coverage spans. */
  covered_seconds: number;
  /** Seconds of the requested buckets inside the series' expected window (up to the last closed candle). */
  expected_seconds: number;
  /** Open gap records of the source series overlapping the requested buckets. */
  open_gaps: number;
}

export interface TimeseriesResult {
  symbol: string;
  exchange: string;
  aggregation_window: AggregationWindow;
  week_start?: WeekStart;
  start_time: string;
  end_time: string;
  source_interval_minutes: number;
  count: number;
  coverage: CoverageSummary;
  /** Frozen: shared with the page cache. */
  data: readonly BucketView[];
  next_cursor: string | null;
}

export interface CompareQuery {
  symbols: readonly string[];
  field: CompareField;
  normalize: boolean;
  align: CompareAlign;
  window: AggregationWindow;
  weekStart?: WeekStart;
  from?: number;
  to?: number;
}

export interface CompareResult {
  field: CompareField;
  aggregation_window: AggregationWindow;
  week_start?: WeekStart;
  normalize: boolean;
  align: CompareAlign;
  start_time: string;
  end_time: string;
  base_ts: number | null;
  t: number[];
  series: Array<{ symbol: string; values: Array<number | null> }>;
}

export interface LatestResult extends TimedCandle {
  symbol: string;
  interval: number;
  /** Whole intervals between the candle's close and the close of the newest closed interval at now. */
  intervals_behind: number;
  /** The rule of `validate`: the last covered candle is more than STALE_HOURS behind the last closed one. */
  stale: boolean;
}

export interface TimeseriesHealth {
  status: 'ok' | 'degraded';
  time: string;
  candle_store: CandleStoreHealth;
  /** Expected series of active assets that `validate` calls stale (null when it could not be counted). */
  stale_series: number | null;
  error?: string;
}

/** The series a query reads: the coarsest held interval tiling the buckets, with its merged coverage. */
interface SourceSeries {
  asset: Asset;
  series: SeriesRef;
  step: number;
  covered: Span[];
}

/** 9999-12-31T23:59:59Z: the far end of "before" and "after" reads. */
const FAR_FUTURE = 253_402_300_799;
/** Every open time a candle can have. */
const EVER: Span = { from: 0, to: FAR_FUTURE };

/** The first bucket opening at or after `ts`. */
function firstStartFrom(spec: BucketSpec, ts: number): number {
  const b = bucketStart(spec, ts);
  return b < ts ? nextBucketStart(spec, b) : b;
}

/**
 * Candles aggregated into UTC buckets that say what they prove (complete: coverage spans them; closed: ended at
 * now), compared across symbols, the latest closed candle, and the health of what serves them. Reads go through
 * the CandleStore and the coverage, series and gap repositories.
 */
@Injectable()
export class TimeseriesService {
  private readonly logger = new Logger(TimeseriesService.name);

  constructor(
    private readonly catalog: AssetCatalogService,
    private readonly assets: AssetRepository,
    private readonly store: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly expected: SeriesRepository,
    private readonly gaps: GapRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly pages: BucketPageCache,
  ) {}

  async query(q: TimeseriesQuery): Promise<TimeseriesResult> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      throw new UsageError(`limit: ${limit} must be a whole number from 1 to ${MAX_LIMIT}`);
    const fill = q.fill ?? 'none';
    const spec = bucketSpec(q.window, q.weekStart);
    const source = await this.sourceSeries(await this.catalog.resolve(q.symbol), spec, q.window);
    const now = this.clock.nowSeconds();
    const { from, to } = await this.span(source, q.from, q.to, now);
    const first = firstStartFrom(spec, from);
    const lastStart = bucketStart(spec, to);
    const end = nextBucketStart(spec, lastStart);
    const header = {
      symbol: source.asset.symbol,
      exchange: source.asset.exchange,
      aggregation_window: q.window,
      ...(spec.kind === 'week' ? { week_start: spec.start } : {}),
      start_time: isoOfSeconds(from),
      end_time: isoOfSeconds(to),
      source_interval_minutes: source.series.intervalMinutes,
    };
    if (first > lastStart) {
      const coverage = { covered_seconds: 0, expected_seconds: 0, open_gaps: 0 };
      return { ...header, count: 0, coverage, data: [], next_cursor: null };
    }
    let pos = first;
    if (q.cursor !== undefined) {
      const after = decodeCursor(spec, q.cursor);
      if (after < first || after > lastStart || bucketStart(spec, after) !== after)
        throw new InvalidCursorError(`cursor ${JSON.stringify(q.cursor)} points outside the requested span`);
      pos = nextBucketStart(spec, after);
    }
    const [coverage, key] = await Promise.all([
      this.summary(source, { start: first, end }, now),
      this.pages.keyOf(source.series, {
        spec,
        fill,
        limit,
        pos,
        lastStart,
        end,
        step: source.step,
        covered: source.covered,
        now,
      }),
    ]);
    const page =
      (key === null ? undefined : this.pages.get(key)) ??
      (await this.page(source, spec, fill, limit, pos, lastStart, now, key));
    const last = page.data[page.data.length - 1];
    return {
      ...header,
      count: page.data.length,
      coverage,
      data: page.data,
      next_cursor: page.more && last ? encodeCursor(spec, last.ts) : null,
    };
  }

  /** The buckets of a page from `pos` (at most `limit`), computed; kept under `key` unless it is null. */
  private async page(
    source: SourceSeries,
    spec: BucketSpec,
    fill: FillMode,
    limit: number,
    pos: number,
    lastStart: number,
    now: number,
    key: string | null,
  ): Promise<BucketPage> {
    const end = nextBucketStart(spec, lastStart);
    const data: BucketView[] = [];
    let prevClose: number | null | undefined;
    // The first run of buckets is read as it stands; only a stretch after it that emitted too little is skipped
    // with a probe of the store (a dense page, the common case, asks the store nothing but its buckets).
    let probe = false;
    while (data.length < limit) {
      if (probe) pos = await this.nextEmitting(source, spec, pos, end, fill);
      probe = true;
      if (pos > lastStart) break;
      const bounds: BucketBounds[] = [];
      for (let b = pos; b <= lastStart && bounds.length < limit - data.length; b = nextBucketStart(spec, b))
        bounds.push({ start: b, end: nextBucketStart(spec, b) });
      const chunkEnd = bounds[bounds.length - 1]!.end;
      const aggregated = await this.store.aggregate(source.series, { from: pos, to: chunkEnd - source.step }, spec);
      if (prevClose === undefined) prevClose = fill === 'prev' ? await this.closeBefore(source.series, pos) : null;
      const part = assembleBuckets({
        bounds,
        aggregated,
        covered: source.covered,
        step: source.step,
        now,
        fill,
        prevClose,
      });
      data.push(...part.buckets);
      prevClose = part.prevClose;
      pos = chunkEnd;
    }
    const more = data.length === limit && (await this.nextEmitting(source, spec, pos, end, fill)) <= lastStart;
    return key === null ? { data, more } : this.pages.set(key, data, more);
  }

  /** The same query, as columns for charting. */
  async ohlcv(q: TimeseriesQuery): Promise<OhlcvColumns> {
    const r = await this.query(q);
    return toOhlcvColumns(r.data, r.next_cursor);
  }

  async compare(q: CompareQuery): Promise<CompareResult> {
    const assets = await this.catalog.resolveAll(q.symbols);
    if (assets.length < 2 || assets.length > 10)
      throw new UsageError(`compare: give 2 to 10 different symbols (got ${assets.length})`);
    const spec = bucketSpec(q.window, q.weekStart);
    const sources = await Promise.all(assets.map((a) => this.sourceSeries(a, spec, q.window)));
    const now = this.clock.nowSeconds();
    const spans = await Promise.all(sources.map((s) => this.span(s, q.from, q.to, now)));
    const from = q.from ?? Math.min(...spans.map((s) => s.from));
    const to = q.to ?? now;
    if (from > to) throw new UsageError(`the start ${isoOfSeconds(from)} is after the end ${isoOfSeconds(to)}`);
    const first = firstStartFrom(spec, from);
    const lastStart = bucketStart(spec, to);
    let buckets = 0;
    for (let b = first; b <= lastStart; b = nextBucketStart(spec, b))
      if (++buckets > MAX_COMPARE_BUCKETS)
        throw new UsageError(
          `compare: the span holds more than ${MAX_COMPARE_BUCKETS} ${q.window} buckets; narrow it or widen the window`,
        );
    const end = nextBucketStart(spec, lastStart);
    const compared = await Promise.all(
      sources.map(async (s) => {
        const rows: CandleBucket[] =
          first > lastStart ? [] : await this.store.aggregate(s.series, { from: first, to: end - s.step }, spec);
        return { symbol: s.asset.symbol, values: new Map(rows.map((r) => [r.ts, r[q.field]])) };
      }),
    );
    return {
      field: q.field,
      aggregation_window: q.window,
      ...(spec.kind === 'week' ? { week_start: spec.start } : {}),
      normalize: q.normalize,
      align: q.align,
      start_time: isoOfSeconds(from),
      end_time: isoOfSeconds(to),
      ...alignSeries(compared, q.align, q.normalize),
    };
  }

  async latest(symbol: string, intervalMinutes: number): Promise<LatestResult> {
    const asset = await this.catalog.resolve(symbol);
    const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes };
    const step = intervalMinutes * 60;
    const lastClosed = lastClosedCandle(this.clock.nowSeconds(), intervalMinutes);
    const [candle, ranges] = await Promise.all([
      this.store.edgeCandle(series, { from: 0, to: lastClosed }, 'last'),
      this.coverage.listForSeries(series),
    ]);
    if (!candle) throw new NoClosedCandleError(`${asset.symbol} ${intervalMinutes}m holds no closed candle`);
    const lastCovered = ranges.length ? rangeSpan(ranges[ranges.length - 1]!).to : null;
    const { ts, open, high, low, close, volume, trades, vwap } = candle;
    return {
      symbol: asset.symbol,
      interval: intervalMinutes,
      ts,
      time: isoOfSeconds(ts),
      open,
      high,
      low,
      close,
      volume,
      trades,
      vwap,
      intervals_behind: Math.floor((lastClosed - ts) / step),
      stale: isStale(lastCovered, lastClosed, this.config.reports.staleHours),
    };
  }

  async health(): Promise<TimeseriesHealth> {
    const candleStore = await this.store.health();
    let stale: number | null = null;
    let error: string | undefined;
    try {
      stale = await this.staleSeriesCount();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      this.logger.warn(`stale series not counted: ${error}`);
    }
    return {
      status: candleStore.reachable && stale !== null ? 'ok' : 'degraded',
      time: this.clock.now().toISOString(),
      candle_store: candleStore,
      stale_series: stale,
      ...(error ? { error } : {}),
    };
  }

  /** The expected series of active assets that `validate` would list as stale. */
  private async staleSeriesCount(): Promise<number> {
    const ids = (await this.assets.findAll({ active: true })).map((a) => a.id);
    const [expected, spans] = await Promise.all([
      this.expected.startsOf(ids, INTERVALS),
      this.coverage.spansFor(ids, INTERVALS),
    ]);
    const now = this.clock.nowSeconds();
    return expected.filter((e) => {
      const own = spans.get(seriesKey(e)) ?? [];
      const last = own.length ? Math.max(...own.map((s) => s.to)) : null;
      return isStale(last, lastClosedCandle(now, e.intervalMinutes), this.config.reports.staleHours);
    }).length;
  }

  /**
   * The coarsest interval held for the asset that tiles the buckets: one with coverage, else an expected one the
   * store holds candles of (the store is asked about expected series only: an unindexed probe of QuestDB for a
   * series nobody holds scans the table); none: a not-found error naming what is held.
   */
  private async sourceSeries(asset: Asset, spec: BucketSpec, window: AggregationWindow): Promise<SourceSeries> {
    const [heldSeries, coveredSeries] = await Promise.all([
      this.expected.heldOf([asset.id]),
      this.coverage.coveredSeries([asset.id]),
    ]);
    const held = new Set(heldSeries.map((s) => s.intervalMinutes));
    const covered = new Set(coveredSeries.map((s) => s.intervalMinutes));
    for (const intervalMinutes of tilingIntervals(spec)) {
      if (!held.has(intervalMinutes)) continue;
      const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes };
      if (!covered.has(intervalMinutes) && !(await this.store.edgeCandle(series, EVER, 'first'))) continue;
      const step = intervalMinutes * 60;
      const ranges = await this.coverage.listForSeries(series);
      return { asset, series, step, covered: mergeSpans(ranges.map(rangeSpan), step) };
    }
    throw new NoSourceSeriesError(
      `${asset.symbol}: no held series has an interval tiling ${window} buckets ` +
        `(held: ${held.size ? [...held].map((i) => `${i}m`).join(', ') : 'nothing'})`,
    );
  }

  /** The requested span, its start defaulting to the first held candle of the source series, its end to now. */
  private async span(source: SourceSeries, from: number | undefined, to: number | undefined, now: number) {
    const start =
      from ?? source.covered[0]?.from ?? (await this.store.edgeCandle(source.series, EVER, 'first'))?.ts ?? now;
    const end = to ?? now;
    if (start > end) throw new UsageError(`the start ${isoOfSeconds(start)} is after the end ${isoOfSeconds(end)}`);
    return { from: start, to: end };
  }

  /**
   * Covered and expected seconds of the buckets and the open gaps overlapping them. The expected window runs from
   * the series' expected start (or its first coverage, when earlier) to the end of the last closed candle; for a
   * series not expected and not covered it is the buckets' span up to now.
   */
  private async summary(source: SourceSeries, window: BucketBounds, now: number): Promise<CoverageSummary> {
    const { series, step, covered } = source;
    const [starts, gaps] = await Promise.all([
      this.expected.startsOf([series.assetId], [series.intervalMinutes]),
      this.gaps.openFor([series.assetId], [series.intervalMinutes]),
    ]);
    const known = [...starts.map((s) => s.from), ...(covered[0] ? [covered[0].from] : [])];
    const windowStart = known.length ? Math.min(...known) : window.start;
    const windowEnd = lastClosedCandle(now, series.intervalMinutes) + step;
    const openGaps = (gaps.get(seriesKey(series)) ?? []).filter(
      (g) =>
        OPEN_GAP_STATUSES.includes(g.status) &&
        g.startTs.getTime() / 1000 < window.end &&
        g.endTs.getTime() / 1000 >= window.start,
    );
    return {
      covered_seconds: coveredSeconds(window, covered, step),
      expected_seconds: Math.max(0, Math.min(window.end, windowEnd) - Math.max(window.start, windowStart)),
      open_gaps: openGaps.length,
    };
  }

  /**
   * The first bucket from `pos` on that the fill can emit: any bucket with fill=null; else the bucket of the next
   * stored candle, or (fill=prev) of the next covered open time, whichever comes first. Past the end: FAR_FUTURE.
   */
  private async nextEmitting(
    source: SourceSeries,
    spec: BucketSpec,
    pos: number,
    end: number,
    fill: FillMode,
  ): Promise<number> {
    if (fill === 'null' || pos >= end) return pos;
    const candle = await this.store.edgeCandle(source.series, { from: pos, to: end - source.step }, 'first');
    let next = candle ? bucketStart(spec, candle.ts) : FAR_FUTURE;
    if (fill === 'prev') {
      const span = source.covered.find((s) => s.to >= pos);
      if (span) next = Math.min(next, bucketStart(spec, Math.max(pos, span.from)));
    }
    return next;
  }

  /** The close of the last stored candle opening before `ts`, or null. */
  private async closeBefore(series: SeriesRef, ts: number): Promise<number | null> {
    return (await this.store.edgeCandle(series, { from: 0, to: ts - 1 }, 'last'))?.close ?? null;
  }
}
