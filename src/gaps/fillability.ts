/**
 * Fillability (DESIGN.md §2): which source can fill a gap at time `now`.
 * The OHLC endpoint serves the newest 720 candles of an interval, the newest
 * still open, so its window starts at align(now, s) − 719·s. Older spans can
 * be rebuilt from the full-history Trades endpoint when trades backfill is
 * on, else only an archive has them. Pure functions, epoch seconds.
 */
import { Fillability } from '../common/enums';
import { alignDown, splitAt } from '../coverage/coverage-math';
import { Span } from '../common/series';

export const OHLC_WINDOW_CANDLES = 720;

export interface RoutedSpan extends Span {
  fillability: Fillability;
}

/** Open time of the oldest candle the OHLC endpoint still serves at `now`. */
export function ohlcWindowStart(now: number, intervalMinutes: number): number {
  const s = intervalMinutes * 60;
  return alignDown(now, s) - (OHLC_WINDOW_CANDLES - 1) * s;
}

/** Open time of the last closed candle at `now` (the candle at align(now) is still open). */
export function lastClosedCandle(now: number, intervalMinutes: number): number {
  const s = intervalMinutes * 60;
  return alignDown(now, s) - s;
}

/** Splits a gap at the OHLC window boundary and labels each part. */
export function route(gap: Span, now: number, intervalMinutes: number, tradesBackfill: boolean): RoutedSpan[] {
  const s = intervalMinutes * 60;
  const { before, after } = splitAt(gap, ohlcWindowStart(now, intervalMinutes), s);
  const out: RoutedSpan[] = [];
  if (before) out.push({ ...before, fillability: tradesBackfill ? 'API_TRADES' : 'ARCHIVE_ONLY' });
  if (after) out.push({ ...after, fillability: 'API_OHLC' });
  return out;
}

/** Kraken's quarterly OHLCVT archive holding a given time, e.g. Kraken_OHLCVT_Q1_2024.zip. */
export function quarterlyArchive(ts: number): string {
  const d = new Date(ts * 1000);
  return `Kraken_OHLCVT_Q${Math.floor(d.getUTCMonth() / 3) + 1}_${d.getUTCFullYear()}.zip`;
}

/**
 * Names what to download for an archive-only gap: the member
 * (`PAIR_INTERVAL.csv`, PAIR being Kraken's altname) and the quarterly
 * archive(s) covering its dates; a span over more than four quarters points
 * at the full archive instead.
 */
export function archiveHint(altname: string, intervalMinutes: number, gap: Span): string {
  const member = `${altname}_${intervalMinutes}.csv`;
  const quarters: string[] = [];
  const start = new Date(gap.from * 1000);
  let y = start.getUTCFullYear();
  let q = Math.floor(start.getUTCMonth() / 3);
  const end = new Date(gap.to * 1000);
  const endKey = end.getUTCFullYear() * 4 + Math.floor(end.getUTCMonth() / 3);
  while (y * 4 + q <= endKey) {
    quarters.push(`Kraken_OHLCVT_Q${q + 1}_${y}.zip`);
    if (++q === 4) {
      q = 0;
      y++;
    }
  }
  if (quarters.length > 4)
    return `${member} in Kraken_OHLCVT.zip (full history; spans ${quarters.length} quarters from ${quarters[0]})`;
  return `${member} in ${quarters.join(', ')}`;
}
