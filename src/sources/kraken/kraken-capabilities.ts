import { INTERVALS } from '../../common/enums';
import { ExchangeCapabilities } from '../exchange-capabilities';
import { KRAKEN_SYMBOLS } from './kraken-symbols';

/** An OHLCVT member: `PAIR_INTERVAL.csv`, PAIR being Kraken's altname (XBTUSD_60.csv). */
const MEMBER_RE = /^([A-Za-z0-9.]+)_(\d+)\.csv$/i;

export const KRAKEN_CAPABILITIES: ExchangeCapabilities = {
  exchange: 'kraken',
  // The OHLC endpoint serves the newest 720 candles of an interval, the newest still open.
  ohlcWindowCandles: 720,
  // Kraken's Trades endpoint answers at most this many trades per call.
  tradesPageSize: 1000,
  intervals: INTERVALS,
  archives: {
    member: (pair, intervalMinutes) => `${pair}_${intervalMinutes}.csv`,
    parseMember(fileName) {
      const m = MEMBER_RE.exec(fileName);
      return m ? { pair: m[1]!, intervalMinutes: Number(m[2]) } : null; // both groups always match
    },
    quarterly: (year, quarter) => `Kraken_OHLCVT_Q${quarter}_${year}.zip`,
    full: 'Kraken_OHLCVT.zip',
  },
  symbols: KRAKEN_SYMBOLS,
};
