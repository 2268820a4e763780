/**
 * The staleness rule of `validate` (the completeness report's `stale`): a series is stale when it covers
 * nothing, or its last covered candle opens more than `staleHours` before the last closed candle.
 */
export function isStale(lastCovered: number | null, lastClosed: number, staleHours: number): boolean {
  return lastCovered === null || lastClosed - lastCovered > staleHours * 3600;
}
