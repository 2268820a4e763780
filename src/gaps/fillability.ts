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

/** A hint naming more quarterly archives than this points at the full-history one instead. */
const MAX_QUARTERLY_ARCHIVES = 4;

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

/** The quarterly archive holding a given time, e.g. Kraken_OHLCVT_Q1_2024.zip. */
export function quarterlyArchive(exchange: ExchangeCapabilities, ts: number): string {
  const d = new Date(ts * 1000);
  return exchange.archives.quarterly(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) + 1);
}

/**
 * Names what to download for an archive-only gap: the member (Kraken:
 * `PAIR_INTERVAL.csv`, PAIR being its altname) and the quarterly archive(s)
 * covering its dates; a span over more than four quarters points at the full
 * archive instead.
 */
export function archiveHint(exchange: ExchangeCapabilities, pair: string, intervalMinutes: number, gap: Span): string {
  const { archives } = exchange;
  const member = archives.member(pair, intervalMinutes);
  const quarters: string[] = [];
  const start = new Date(gap.from * 1000);
  let y = start.getUTCFullYear();
  let q = Math.floor(start.getUTCMonth() / 3);
  const end = new Date(gap.to * 1000);
  const endKey = end.getUTCFullYear() * 4 + Math.floor(end.getUTCMonth() / 3);
  while (y * 4 + q <= endKey) {
    quarters.push(archives.quarterly(y, q + 1));
    if (++q === 4) {
      q = 0;
      y++;
    }
  }
  if (quarters.length > MAX_QUARTERLY_ARCHIVES)
    return `${member} in ${archives.full} (full history; spans ${quarters.length} quarters from ${quarters[0]})`;
  return `${member} in ${quarters.join(', ')}`;
}
