/**
 * What an exchange's order-book endpoint answers, in the shape every venue is
 * mapped to. Venues differ in how an answer is timed and sequenced: Binance's
 * spot depth has a `lastUpdateId` and no time, Kraken's Depth a timestamp per
 * level and no sequence — `exchangeTsKind` says which time, if any, the
 * snapshot carries.
 */

/**
 * How a snapshot's exchange time was obtained: `none` (the venue sends no time), `message` (one time for the
 * whole answer), `max_level` (the newest of the levels' own update times, as Kraken's Depth gives them).
 */
export type ExchangeTimeKind = 'none' | 'message' | 'max_level';

export interface OrderBookLevel {
  price: number;
  size: number;
}

export interface FetchedOrderBook {
  /** The pair as the exchange answered under it (Kraken: the pair key, e.g. XXBTZUSD). */
  native: string;
  /** Best (highest) first, as the exchange sent them. */
  bids: OrderBookLevel[];
  /** Best (lowest) first, as the exchange sent them. */
  asks: OrderBookLevel[];
  /** The venue's book sequence (Binance `lastUpdateId`, a 64-bit integer kept as text); null where it has none. */
  lastUpdateId: string | null;
  /** Epoch milliseconds, or null when `exchangeTsKind` is `none`. */
  exchangeTs: number | null;
  exchangeTsKind: ExchangeTimeKind;
}

/** A venue that serves order-book snapshots (each exchange adapter is one). */
export interface OrderBookSource {
  /** The `exchange` of its assets, e.g. 'kraken'. */
  readonly exchange: string;
  /** ONE request: the book of a pair (its native name) to `depth` levels a side. */
  fetchOrderBook(native: string, depth: number): Promise<FetchedOrderBook>;
}
