import { isoOfSeconds } from '../common/time';
import { NoCommonBucketError, UnusableBaseError } from './timeseries.errors';

export const COMPARE_FIELDS = ['open', 'high', 'low', 'close', 'vwap', 'volume'] as const;
export type CompareField = (typeof COMPARE_FIELDS)[number];

export const COMPARE_ALIGNS = ['intersection', 'union'] as const;
export type CompareAlign = (typeof COMPARE_ALIGNS)[number];

/** One symbol's values by bucket start (only the buckets it has; a value may be null: vwap of archive candles). */
export interface ComparedSeries {
  symbol: string;
  values: ReadonlyMap<number, number | null>;
}

export interface AlignedSeries {
  /** The first bucket every symbol has (the base of normalize), or null when they share none. */
  base_ts: number | null;
  t: number[];
  series: Array<{ symbol: string; values: Array<number | null> }>;
}

/**
 * One time axis for several symbols: `intersection` keeps the buckets every symbol has, `union` all of them
 * (null where a symbol has none). `normalize` turns each value into the percent change from the symbol's value
 * at `base_ts`; a base of zero or null has no percent change and is refused, not turned into ∞.
 */
export function alignSeries(input: readonly ComparedSeries[], align: CompareAlign, normalize: boolean): AlignedSeries {
  const all = new Set<number>();
  for (const s of input) for (const ts of s.values.keys()) all.add(ts);
  const sorted = [...all].sort((a, b) => a - b);
  const common = sorted.filter((ts) => input.every((s) => s.values.has(ts)));
  const baseTs = common[0] ?? null;
  const t = align === 'intersection' ? common : sorted;
  if (normalize && baseTs === null)
    throw new NoCommonBucketError(`normalize: ${input.map((s) => s.symbol).join(', ')} share no bucket in the span`);
  const series = input.map((s) => {
    const raw = t.map((ts) => s.values.get(ts) ?? null);
    if (!normalize || baseTs === null) return { symbol: s.symbol, values: raw };
    const base = s.values.get(baseTs) ?? null;
    if (base === null || base === 0)
      throw new UnusableBaseError(
        `normalize: ${s.symbol} is ${base === null ? 'absent' : '0'} at the base bucket ${isoOfSeconds(baseTs)}; ` +
          'no percent change from it exists',
      );
    return { symbol: s.symbol, values: raw.map((v) => (v === null ? null : (v / base - 1) * 100)) };
  });
  return { base_ts: baseTs, t, series };
}
