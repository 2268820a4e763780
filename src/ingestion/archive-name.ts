import { basename } from 'node:path';
import { IntervalMinutes } from '../common/enums';
import { parseSymbol, StandardPair } from '../assets/standard-symbol';
import { ExchangeCapabilities } from '../sources/exchange-capabilities';

export interface ArchiveMemberName {
  /** The exchange whose archive names the file (its assets' `exchange`). */
  exchange: string;
  /** The exchange's pair name as written in the file name (Kraken: the altname, e.g. XBTUSD). */
  pair: string;
  intervalMinutes: IntervalMinutes;
  standard: StandardPair;
}

/**
 * Maps an OHLCVT member or file name (Kraken: `XBTUSD_60.csv`, any folder) to its pair
 * and interval, or null when the name is not one: no `_INTERVAL`, an interval
 * the exchange does not publish, or a pair that does not split into base and quote.
 */
export function parseArchiveMemberName(exchange: ExchangeCapabilities, name: string): ArchiveMemberName | null {
  const m = exchange.archives.parseMember(basename(name.replace(/\\/g, '/')));
  if (!m) return null;
  const interval = exchange.intervals.find((i) => i === m.intervalMinutes);
  if (interval === undefined) return null;
  const pair = m.pair.toUpperCase();
  try {
    return {
      exchange: exchange.exchange,
      pair,
      intervalMinutes: interval,
      standard: parseSymbol(pair, exchange.symbols),
    };
  } catch {
    return null;
  }
}
