import { UsageError } from './errors';
import { Span } from './series';

/**
 * The windows candles are aggregated into (HTTP API, `candlekeep series`), all UTC: fixed lengths dividing a
 * day (epoch-aligned, so aligned to UTC midnight), weeks and calendar months.
 */
export const AGGREGATION_WINDOWS = ['1m', '5m', '15m', '30m', '1h', '4h', '12h', '1d', '1w', '1mo'] as const;
export type AggregationWindow = (typeof AGGREGATION_WINDOWS)[number];

/** Monday (ISO weeks, the default) or Thursday: Kraken's native 10080-minute candles, epoch-aligned (1970-01-01). */
export const WEEK_STARTS = ['monday', 'thursday'] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

/** How buckets are laid out: a fixed epoch-aligned length dividing a day, weeks from a weekday, calendar months. */
export type BucketSpec = { kind: 'fixed'; seconds: number } | { kind: 'week'; start: WeekStart } | { kind: 'month' };

const DAY = 86_400;
const WEEK = 7 * DAY;
/** A short text naming a bucket spec (f3600, wmonday, m): cache keys and paging cursors. */
export function bucketSpecKey(spec: BucketSpec): string {
  return spec.kind === 'fixed' ? `f${spec.seconds}` : spec.kind === 'week' ? `w${spec.start}` : 'm';
}

/** 1970-01-01 was a Thursday: Thursday weeks start at multiples of a week, Monday weeks four days later. */
const WEEK_ORIGIN: Record<WeekStart, number> = { thursday: 0, monday: 4 * DAY };

const FIXED_SECONDS: Record<Exclude<AggregationWindow, '1w' | '1mo'>, number> = {
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '4h': 14_400,
  '12h': 43_200,
  '1d': DAY,
};

export function parseAggregationWindow(value: string): AggregationWindow {
  const w = value.trim();
  if ((AGGREGATION_WINDOWS as readonly string[]).includes(w)) return w as AggregationWindow;
  throw new UsageError(`unknown aggregation window ${JSON.stringify(value)}; use ${AGGREGATION_WINDOWS.join(', ')}`);
}

export function parseWeekStart(value: string): WeekStart {
  const w = value.trim().toLowerCase();
  if ((WEEK_STARTS as readonly string[]).includes(w)) return w as WeekStart;
  throw new UsageError(`unknown week start ${JSON.stringify(value)}; use ${WEEK_STARTS.join(', ')}`);
}

export function bucketSpec(window: AggregationWindow, weekStart: WeekStart = 'monday'): BucketSpec {
  if (window === '1w') return { kind: 'week', start: weekStart };
  if (window === '1mo') return { kind: 'month' };
  return { kind: 'fixed', seconds: FIXED_SECONDS[window] };
}

/** A fixed bucket of `seconds` (a length dividing a day). */
export function fixedBucket(seconds: number): BucketSpec {
  if (!Number.isInteger(seconds) || seconds < 60 || DAY % seconds !== 0)
    throw new UsageError(`a bucket of ${seconds} s does not divide a day`);
  return { kind: 'fixed', seconds };
}

/** The open time of the bucket holding `ts` (epoch seconds). */
export function bucketStart(spec: BucketSpec, ts: number): number {
  switch (spec.kind) {
    case 'fixed':
      return Math.floor(ts / spec.seconds) * spec.seconds;
    case 'week': {
      const origin = WEEK_ORIGIN[spec.start];
      return Math.floor((ts - origin) / WEEK) * WEEK + origin;
    }
    case 'month': {
      const d = new Date(ts * 1000);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
    }
  }
}

/** The open time of the bucket after the one opening at `start` (its exclusive end). */
export function nextBucketStart(spec: BucketSpec, start: number): number {
  switch (spec.kind) {
    case 'fixed':
      return start + spec.seconds;
    case 'week':
      return start + WEEK;
    case 'month': {
      const d = new Date(start * 1000);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
    }
  }
}

/** Open times of the buckets overlapping the inclusive span, ascending (the first one holds `span.from`). */
export function bucketStarts(spec: BucketSpec, span: Span): number[] {
  const out: number[] = [];
  for (let b = bucketStart(spec, span.from); b <= span.to; b = nextBucketStart(spec, b)) out.push(b);
  return out;
}

/**
 * Whether candles of `intervalMinutes` tile the buckets exactly (each candle inside one bucket): the interval
 * divides a day (then it divides every bucket, all of which start at UTC midnight or a multiple of the interval),
 * or it is a whole week and the buckets are Thursday weeks (Kraken's 10080-minute candles).
 */
export function tilesBuckets(spec: BucketSpec, intervalMinutes: number): boolean {
  const seconds = intervalMinutes * 60;
  if (DAY % seconds === 0) return spec.kind !== 'fixed' || spec.seconds % seconds === 0;
  return seconds === WEEK && spec.kind === 'week' && spec.start === 'thursday';
}
