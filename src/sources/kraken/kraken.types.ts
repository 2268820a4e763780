/**
 * Typed results of Kraken's public REST endpoints, as KrakenClient returns
 * them: validated, prices and volumes parsed to numbers, Kraken's short codes
 * spelled out. `pairKey` is the key Kraken answered under (XXBTZUSD for a
 * request naming XBTUSD or XBT/USD).
 */

export interface ServerTime {
  unixtime: number;
  rfc1123: string;
}

export interface SystemStatus {
  /** online | maintenance | cancel_only | post_only */
  status: string;
  timestamp: string;
}

export interface KrakenAssetInfo {
  /** Kraken's asset key, e.g. XXBT, ZUSD, SOL. */
  key: string;
  /** Plain code, e.g. XBT, USD. */
  altname: string;
  /** Asset class, e.g. currency, tokenized_asset. */
  aclass: string;
  decimals: number;
  displayDecimals: number;
  /** enabled, deposit_only, ...; absent in older responses. */
  status: string | null;
}

export interface KrakenAssetPair {
  /** Pair key, e.g. XXBTZUSD. */
  key: string;
  /** e.g. XBTUSD (archive member names use it). */
  altname: string;
  /** e.g. XBT/USD; absent for legacy and dark-pool pairs. */
  wsname: string | null;
  /** Asset keys, e.g. XXBT and ZUSD. */
  base: string;
  quote: string;
  aclassBase: string;
  aclassQuote: string;
  /** online, cancel_only, post_only, limit_only, reduce_only, delisted...; absent (null) in legacy responses. */
  status: string | null;
  pairDecimals: number;
  lotDecimals: number;
}

export interface OhlcCandle {
  /** Open time, epoch seconds (aligned to the interval). */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  vwap: number;
  volume: number;
  /** Number of trades. */
  count: number;
}

/**
 * One OHLC answer: up to 720 candles, oldest first; the newest is still open
 * (its period has not ended). `last` is the open time of the newest committed
 * candle: pass it as `since` to poll for newer committed candles.
 */
export interface OhlcPage {
  pairKey: string;
  candles: OhlcCandle[];
  last: number;
}

export type TradeSide = 'buy' | 'sell';
export type TradeOrderType = 'market' | 'limit';

export interface Trade {
  price: number;
  volume: number;
  /** Epoch seconds with fraction, as Kraken sends it. */
  timeSec: number;
  /** Epoch nanoseconds as a decimal string (exact when Kraken sends it, else from timeSec's digits). */
  timeNs: string;
  side: TradeSide;
  type: TradeOrderType;
  misc: string;
  /** Kraken's trade id; absent (null) in older responses. */
  tradeId: number | null;
}

/**
 * One Trades answer: up to 1000 trades after `since`, oldest first. `last` is
 * the nanosecond cursor (decimal string) to pass as the next `since`.
 */
export interface TradesPage {
  pairKey: string;
  trades: Trade[];
  last: string;
}

export interface Ticker {
  pairKey: string;
  ask: { price: number; wholeLotVolume: number; lotVolume: number };
  bid: { price: number; wholeLotVolume: number; lotVolume: number };
  lastTrade: { price: number; volume: number };
  volume: { today: number; last24h: number };
  vwap: { today: number; last24h: number };
  trades: { today: number; last24h: number };
  low: { today: number; last24h: number };
  high: { today: number; last24h: number };
  open: number;
}

export interface BookLevel {
  price: number;
  volume: number;
  /** Epoch seconds of the level's last update. */
  timestamp: number;
}

export interface OrderBook {
  pairKey: string;
  asks: BookLevel[];
  bids: BookLevel[];
}
