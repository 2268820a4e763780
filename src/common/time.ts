/** Candle times are epoch seconds (UTC); the database and the outside world speak Date and ISO-8601. */

/** Whole epoch seconds of a Date (rounded down: a candle's open time never moves later). */
export const toSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** The Date of epoch seconds. */
export const fromSeconds = (s: number): Date => new Date(s * 1000);

/** ISO-8601 (UTC, milliseconds) of epoch seconds, as every output prints times. */
export const isoOfSeconds = (s: number): string => new Date(s * 1000).toISOString();
