import { INTERVALS } from '../../common/enums';
import { ExchangeCapabilities } from '../exchange-capabilities';
import { KRAKEN_ARCHIVES } from './kraken-archives';
import { KRAKEN_SYMBOLS } from './kraken-symbols';

export const KRAKEN_CAPABILITIES: ExchangeCapabilities = {
  exchange: 'kraken',
  // The OHLC endpoint serves the newest 720 candles of an interval, the newest still open.
  ohlcWindowCandles: 720,
  // Kraken's Trades endpoint answers at most this many trades per call.
  tradesPageSize: 1000,
  intervals: INTERVALS,
  archives: KRAKEN_ARCHIVES,
  symbols: KRAKEN_SYMBOLS,
};
