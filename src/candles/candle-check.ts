import { Candle, SeriesRef } from './candle-store';
import { CandleValueError } from './candle-store.errors';

/** Refuses what must never be stored, naming the series and the candle. */
export function checkCandle(series: SeriesRef, c: Candle): void {
  const problem = candleProblem(series, c);
  if (problem) throw new CandleValueError(`${series.symbol} ${series.intervalMinutes}m candle ts=${c.ts}: ${problem}`);
}

function candleProblem(series: SeriesRef, c: Candle): string | undefined {
  if (!Number.isSafeInteger(c.ts)) return 'ts must be integer epoch seconds';
  if (c.ts % (series.intervalMinutes * 60) !== 0) return `ts is not aligned to the ${series.intervalMinutes}-minute interval`;
  for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (!Number.isFinite(c[key])) return `${key} is not a finite number (${c[key]})`;
  }
  if (c.vwap !== null && !Number.isFinite(c.vwap)) return `vwap is not a finite number (${c.vwap})`;
  if (!Number.isSafeInteger(c.trades) || c.trades < 0) return `trades must be a non-negative integer (${c.trades})`;
  return undefined;
}
