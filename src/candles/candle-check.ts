import { Candle } from './candle-store';
import { CandleValueError } from './candle-store.errors';
import { SeriesRef } from '../common/series';

/**
 * The one rule for the values of a candle, whatever its source (archive,
 * OHLC, trades): positive prices, low <= open, close <= high, volume >= 0.
 * A code (the archive parser's reject reason) and a detail, or null.
 */
export function valueProblem(
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
): { code: string; detail: string } | null {
  if (!(open > 0 && high > 0 && low > 0 && close > 0))
    return { code: 'non_positive_price', detail: 'prices must be > 0' };
  if (!(low <= open && open <= high && low <= close && close <= high))
    return { code: 'ohlc_inconsistent', detail: 'need low <= open, close <= high' };
  if (!(volume >= 0)) return { code: 'negative_volume', detail: 'volume < 0' };
  return null;
}

/** Refuses what must never be stored, naming the series and the candle. */
export function checkCandle(series: SeriesRef, c: Candle): void {
  const problem = candleProblem(series, c);
  if (problem) throw new CandleValueError(`${series.symbol} ${series.intervalMinutes}m candle ts=${c.ts}: ${problem}`);
}

function candleProblem(series: SeriesRef, c: Candle): string | undefined {
  if (!Number.isSafeInteger(c.ts)) return 'ts must be integer epoch seconds';
  if (c.ts % (series.intervalMinutes * 60) !== 0)
    return `ts is not aligned to the ${series.intervalMinutes}-minute interval`;
  // Each field by name, not a loop over keys: this runs once per stored candle and keyed access was a
  // measured share of a bulk load.
  if (!(
    Number.isFinite(c.open) &&
    Number.isFinite(c.high) &&
    Number.isFinite(c.low) &&
    Number.isFinite(c.close) &&
    Number.isFinite(c.volume)
  )) {
    const key = (['open', 'high', 'low', 'close', 'volume'] as const).find((k) => !Number.isFinite(c[k]))!;
    return `${key} is not a finite number (${c[key]})`;
  }
  if (c.vwap !== null && !Number.isFinite(c.vwap)) return `vwap is not a finite number (${c.vwap})`;
  const values = valueProblem(c.open, c.high, c.low, c.close, c.volume);
  if (values) return values.detail;
  if (!Number.isSafeInteger(c.trades) || c.trades < 0) return `trades must be a non-negative integer (${c.trades})`;
  return undefined;
}
