import { BucketSpec, tilesBuckets } from '../common/aggregation-window';
import { INTERVALS } from '../common/enums';

/**
 * The stored intervals whose candles tile the buckets exactly, coarsest first: the order a source series is
 * chosen in (4h reads 240 if held, else 60, …; 1d reads 1440, else 720, else 60, …).
 */
export function tilingIntervals(spec: BucketSpec): number[] {
  return INTERVALS.filter((i) => tilesBuckets(spec, i)).sort((a, b) => b - a);
}
