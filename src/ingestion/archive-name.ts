import { basename } from 'node:path';
import { IntervalMinutes, isInterval } from '../common/enums';
import { parseSymbol, StandardPair } from '../sources/kraken/symbols';

export interface ArchiveMemberName {
  /** Kraken's pair name as written in the file name (the altname, e.g. XBTUSD). */
  pair: string;
  intervalMinutes: IntervalMinutes;
  standard: StandardPair;
}

const MEMBER_RE = /^([A-Za-z0-9.]+)_(\d+)\.csv$/i;

/**
 * Maps an OHLCVT member or file name (`XBTUSD_60.csv`, any folder) to its pair
 * and interval, or null when the name is not one: no `_INTERVAL`, an interval
 * Kraken does not publish, or a pair that does not split into base and quote.
 */
export function parseArchiveMemberName(name: string): ArchiveMemberName | null {
  const m = MEMBER_RE.exec(basename(name.replace(/\\/g, '/')));
  if (!m) return null;
  const interval = Number(m[2]);
  if (!isInterval(interval)) return null;
  const pair = m[1]!.toUpperCase();
  try {
    return { pair, intervalMinutes: interval, standard: parseSymbol(pair) };
  } catch {
    return null;
  }
}
