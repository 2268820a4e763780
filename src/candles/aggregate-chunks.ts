import { BucketSpec, bucketStart, fixedBucket, nextBucketStart } from '../common/aggregation-window';
import { Span } from '../common/series';

/** Buckets of a fixed length per cached chunk, at most; fewer where they would hold more candles than below. */
const FIXED_CHUNK_BUCKETS = 512;
/**
 * Candles of the series a fixed chunk spans at most: computing a chunk reads all of them, so that a short request
 * of long buckets over 1-minute candles (30 days of 1d) does not read 512 days.
 */
const CHUNK_CANDLES = 32_768;
/** Weeks per cached chunk. */
const WEEK_CHUNK_WEEKS = 52;
const WEEK = 7 * 86_400;

/**
 * How an aggregate over a span is served from chunks: `whole` is the range [start, end) of the buckets every
 * candle of which lies in the span (given candles at multiples of `step` seconds, as stored candles are), `edges`
 * the at most two cut spans before and after it (asked of the store as they are: a cut bucket holds only the
 * candles inside the span). No whole bucket: `whole` is null and the one edge is the span itself.
 */
export interface AggregatePlan {
  whole: { start: number; end: number } | null;
  head: Span | null;
  tail: Span | null;
}

export function planAggregate(spec: BucketSpec, span: Span, step: number): AggregatePlan {
  if (spec.kind === 'fixed') fixedBucket(spec.seconds); // a length not dividing a day is refused, as by the stores
  const firstCandle = (b: number) => Math.ceil(b / step) * step;
  const lastCandle = (end: number) => Math.ceil(end / step) * step - step;
  const b0 = bucketStart(spec, span.from);
  const start = firstCandle(b0) >= span.from ? b0 : nextBucketStart(spec, b0);
  const b1 = bucketStart(spec, span.to);
  const next1 = nextBucketStart(spec, b1);
  const end = lastCandle(next1) <= span.to ? next1 : b1;
  if (span.from > span.to || start >= end) return { whole: null, head: span, tail: null };
  return {
    whole: { start, end },
    head: span.from < start ? { from: span.from, to: start - 1 } : null,
    tail: end <= span.to ? { from: end, to: span.to } : null,
  };
}

/**
 * Seconds of a chunk of fixed buckets over candles of `step` seconds: 512 buckets, halved while they would span
 * more than CHUNK_CANDLES candles (1h over 1-minute candles: 512; 1d over them: 16) — always the same for one
 * series and window, so chunks stay aligned.
 */
function fixedChunkSeconds(seconds: number, step: number): number {
  let buckets = FIXED_CHUNK_BUCKETS;
  while (buckets > 1 && (buckets * seconds) / step > CHUNK_CANDLES) buckets /= 2;
  return buckets * seconds;
}

/**
 * The aligned chunk of buckets holding the bucket opening at `ts`, for candles of `step` seconds: fixed buckets
 * from a multiple of the chunk's length (fixedChunkSeconds) since the epoch, 52 weeks from a week start of 1970,
 * a calendar year of months.
 */
export function chunkStart(spec: BucketSpec, ts: number, step: number): number {
  switch (spec.kind) {
    case 'fixed': {
      const length = fixedChunkSeconds(spec.seconds, step);
      return Math.floor(ts / length) * length;
    }
    case 'week': {
      const origin = bucketStart(spec, 0);
      const length = WEEK_CHUNK_WEEKS * WEEK;
      return Math.floor((ts - origin) / length) * length + origin;
    }
    case 'month':
      return Date.UTC(new Date(ts * 1000).getUTCFullYear(), 0, 1) / 1000;
  }
}

/** The start of the chunk after the one starting at `start` (its exclusive end). */
export function nextChunkStart(spec: BucketSpec, start: number, step: number): number {
  switch (spec.kind) {
    case 'fixed':
      return start + fixedChunkSeconds(spec.seconds, step);
    case 'week':
      return start + WEEK_CHUNK_WEEKS * WEEK;
    case 'month':
      return Date.UTC(new Date(start * 1000).getUTCFullYear() + 1, 0, 1) / 1000;
  }
}
