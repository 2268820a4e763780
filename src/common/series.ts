/**
 * The shapes every layer speaks in: a series (one asset at one interval) and a span of candle open times.
 * Times are epoch seconds, UTC; a span is inclusive of both ends and aligned to its series' interval.
 */

/** A series by its keys, as the state tables hold it. */
export interface SeriesKey {
  assetId: number;
  intervalMinutes: number;
}

/** A series with its standard symbol (`BASE-QUOTE-TYPE`; QuestDB keys candles on it). */
export interface SeriesRef extends SeriesKey {
  symbol: string;
}

/** Inclusive span of candle open times, epoch seconds: [from, to]. */
export interface Span {
  from: number;
  to: number;
}

/** A series' key as one string (map keys): `assetId:intervalMinutes`. */
export function seriesKey(s: SeriesKey): string {
  return `${s.assetId}:${s.intervalMinutes}`;
}
