import { Candle, CandleBucket } from '../candles/candle-store';
import { Span } from '../common/series';
import { isoOfSeconds } from '../common/time';

/** What an empty bucket becomes: omitted, a flat candle where coverage proves no trades, or a placeholder. */
export const FILL_MODES = ['none', 'prev', 'null'] as const;
export type FillMode = (typeof FILL_MODES)[number];

/** A bucket's open time and its exclusive end (the next bucket's open time), epoch seconds. */
export interface BucketBounds {
  start: number;
  end: number;
}

/** A candle as the time-series answers print it: with its open time in ISO-8601 beside `ts`. */
export interface TimedCandle extends Candle {
  time: string;
}

/** A bucket holding candles (or, with fill=prev, a flat no-trade candle at the previous close: candles 0). */
export interface CandleBucketView extends TimedCandle {
  candles: number;
  /** Coverage spans every candle open time of the bucket at the source interval. */
  complete: boolean;
  /** The bucket has ended at the clock's now. */
  closed: boolean;
}

/** fill=null: an empty bucket, no prices; `candles: 0` when coverage proves it had no trades (complete). */
export interface EmptyBucketView {
  ts: number;
  time: string;
  complete: boolean;
  candles?: 0;
  closed: boolean;
}

export type BucketView = CandleBucketView | EmptyBucketView;

/**
 * Index of the merged span holding `ts`, or -1 (`covered` sorted, disjoint and not touching, as mergeSpans
 * returns them: a bucket covered whole lies inside one of them).
 */
function spanHolding(covered: readonly Span[], ts: number): number {
  let lo = 0;
  let hi = covered.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = covered[mid]!;
    if (ts < s.from) hi = mid - 1;
    else if (ts > s.to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Coverage (merged spans of candle open times at `step`) spans every candle open time of the bucket. */
export function bucketComplete(bucket: BucketBounds, covered: readonly Span[], step: number): boolean {
  const i = spanHolding(covered, bucket.start);
  return i >= 0 && covered[i]!.to >= bucket.end - step;
}

/** Seconds of [start, end) that coverage spans (a covered open time stands for its whole candle). */
export function coveredSeconds(window: BucketBounds, covered: readonly Span[], step: number): number {
  let total = 0;
  for (const s of covered) {
    const from = Math.max(s.from, window.start);
    const to = Math.min(s.to + step, window.end);
    if (to > from) total += to - from;
  }
  return total;
}

/**
 * The buckets of `bounds` (ascending) as the response lists them: `aggregated` holds the non-empty ones (by
 * bucket start); empty ones follow `fill`. `prevClose` is the close before the first bucket (null: none is
 * stored); the close after the last is returned for the next run of buckets.
 */
export function assembleBuckets(input: {
  bounds: readonly BucketBounds[];
  aggregated: readonly CandleBucket[];
  covered: readonly Span[];
  step: number;
  now: number;
  fill: FillMode;
  prevClose: number | null;
}): { buckets: BucketView[]; prevClose: number | null } {
  const { aggregated } = input;
  let prevClose = input.prevClose;
  const buckets: BucketView[] = [];
  // Both lists ascend: one walk pairs each bound with its aggregated bucket (a page holds up to 5000 of each).
  let next = 0;
  for (const bounds of input.bounds) {
    const complete = bucketComplete(bounds, input.covered, input.step);
    const closed = bounds.end <= input.now;
    const ts = bounds.start;
    const time = isoOfSeconds(ts);
    while (next < aggregated.length && aggregated[next]!.ts < ts) next++;
    const b = aggregated[next]?.ts === ts ? aggregated[next] : undefined;
    if (b) {
      const { open, high, low, close, volume, trades, vwap, candles } = b;
      buckets.push({ ts, time, open, high, low, close, volume, trades, vwap, candles, complete, closed });
      prevClose = close;
    } else if (input.fill === 'prev' && complete && prevClose !== null) {
      const c = prevClose;
      buckets.push({
        ts,
        time,
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 0,
        trades: 0,
        vwap: null,
        candles: 0,
        complete,
        closed,
      });
    } else if (input.fill === 'null') {
      buckets.push(complete ? { ts, time, complete, candles: 0, closed } : { ts, time, complete, closed });
    }
  }
  return { buckets, prevClose };
}
