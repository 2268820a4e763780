/**
 * Fillability: which source can fill a gap at time `now`. The exchange's OHLC
 * endpoint serves the newest `ohlcWindowCandles` candles of an interval (Kraken:
 * 720), the newest still open, so its window starts at align(now, s) − (n − 1)·s.
 * Older spans can be rebuilt from the full-history Trades endpoint when trades
 * backfill is on, else only an archive has them. Pure functions, epoch seconds.
 */
import { Fillability } from '../common/enums';
import { alignDown, splitAt } from '../coverage/coverage-math';
import { Span } from '../common/series';
import { ExchangeCapabilities } from '../sources/exchange-capabilities';

export interface RoutedSpan extends Span {
  fillability: Fillability;
}

/** Open time of the oldest candle the OHLC endpoint still serves at `now`. */
export function ohlcWindowStart(exchange: ExchangeCapabilities, now: number, intervalMinutes: number): number {
  const s = intervalMinutes * 60;
  return alignDown(now, s) - (exchange.ohlcWindowCandles - 1) * s;
}

/** Open time of the last closed candle at `now` (the candle at align(now) is still open). */
export function lastClosedCandle(now: number, intervalMinutes: number): number {
  const s = intervalMinutes * 60;
  return alignDown(now, s) - s;
}

/** Splits a gap at the OHLC window boundary and labels each part. */
export function route(
  exchange: ExchangeCapabilities,
  gap: Span,
  now: number,
  intervalMinutes: number,
  tradesBackfill: boolean,
): RoutedSpan[] {
  const s = intervalMinutes * 60;
  const { before, after } = splitAt(gap, ohlcWindowStart(exchange, now, intervalMinutes), s);
  const out: RoutedSpan[] = [];
  if (before) out.push({ ...before, fillability: tradesBackfill ? 'API_TRADES' : 'ARCHIVE_ONLY' });
  if (after) out.push({ ...after, fillability: 'API_OHLC' });
  return out;
}

/** What to download to fill an archive-only gap: the exchange's archive names say (Kraken: member and quarters). */
export function archiveHint(exchange: ExchangeCapabilities, pair: string, intervalMinutes: number, gap: Span): string {
  return exchange.archives.hint(pair, intervalMinutes, gap);
}
