import { IntervalMinutes } from '../common/enums';
import { Span } from '../common/series';
import { StandardSymbolParts } from './standard-symbol-parts';

/** Nest token of the ExchangeCapabilities of the exchange candlekeep reads (KrakenModule provides it). */
export const EXCHANGE_CAPABILITIES = Symbol('EXCHANGE_CAPABILITIES');

/** How an exchange names its pairs, mapped to and from the standard parts. */
export interface ExchangeSymbols {
  /** The exchange's names as a usage message describes them, e.g. "a Kraken name (XXBTZUSD, XBTUSD, XBT/USD)". */
  readonly nameHint: string;
  /** One of the exchange's asset codes → its standard code (XBT → BTC); standard codes are returned as they are. */
  standardAsset(code: string): string;
  /** The standard parts of a pair in one of the exchange's own forms (any case), or null when it is none of them. */
  parsePair(name: string): StandardSymbolParts | null;
}

/** A member of the exchange's candle archives, by its file name. */
export interface ArchiveMember {
  /** The pair as the file name writes it. */
  pair: string;
  /** As written: not yet checked against the intervals the exchange serves. */
  intervalMinutes: number;
}

/** The names of the exchange's downloadable candle archives and of their members. */
export interface ArchiveNames {
  /** Pair and interval of a member file name (no folder), or null when the name is not a member's. */
  parseMember(fileName: string): ArchiveMember | null;
  /**
   * What to download to fill a span of a pair's interval (the pair as archive names write it), e.g.
   * "XBTUSD_60.csv in Kraken_OHLCVT_Q2_2024.zip".
   */
  hint(pair: string, intervalMinutes: number, gap: Span): string;
}

/** What the rest of candlekeep needs to know of an exchange: its numbers, intervals and names. */
export interface ExchangeCapabilities {
  /** The `exchange` of its assets, e.g. 'kraken'. */
  readonly exchange: string;
  /** How many candles of an interval the OHLC endpoint serves, the newest of them still open. */
  readonly ohlcWindowCandles: number;
  /** The most trades one Trades call answers: a shorter page is the last one. */
  readonly tradesPageSize: number;
  /** The candle intervals the exchange serves and publishes archives of. */
  readonly intervals: readonly IntervalMinutes[];
  readonly archives: ArchiveNames;
  readonly symbols: ExchangeSymbols;
}
