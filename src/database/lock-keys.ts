import { SeriesKey } from '../common/series';

/**
 * The key of a PostgreSQL advisory lock. PostgreSQL has two key spaces that
 * never conflict with each other (pg_locks tells them apart by objsubid): one
 * bigint, or a pair of int4.
 *
 * - `text`: a text key hashed into the bigint space by hashtextextended(text, 0) (64 bits).
 * - `text32`: a text key hashed by hashtext(text) (32 bits, sign-extended into the bigint space): the
 *   migrations lock only, which earlier versions take under this very key, so that a replica of an earlier
 *   version and one of this version starting together still serialise their migrations.
 * - `pair`: two int4 (the coverage writers of a series).
 */
export type LockKey =
  | { readonly space: 'text'; readonly text: string }
  | { readonly space: 'text32'; readonly text: string }
  | { readonly space: 'pair'; readonly high: number; readonly low: number };

/**
 * Every advisory lock key candlekeep takes, built here only.
 *
 * Why unrelated locks do not meet: every text key starts with `candlekeep:`
 * and a prefix of its own (`task:`, `fill:`, `content:`, `migrations`), so no
 * two different locks have the same text; the coverage locks are pairs, a
 * space no text key is hashed into. Distinct texts can still hash to the same
 * bigint: for 64-bit hashes the chance that any two of n keys held at once
 * collide is about n²/2⁶⁵ (below 10⁻¹¹ for a million keys); the 32-bit
 * migrations hash, sign-extended, meets a given 64-bit hash with chance 2⁻⁶³.
 *
 * What a collision would cost: the two holders serialise, never a wrong
 * result. Each lock only orders work that is correct in either order or
 * skips work for this run: a try-once taker (a scheduled task, gap recovery)
 * skips and says so, to run again; a waiting taker (ingest, backfill,
 * update-market-data, migrations) waits for the other holder to finish, or
 * — where it is the same process holding the other key, e.g. a task's lock
 * while the task claims series — until its wait runs out (backfill and
 * update-market-data skip the series and say so; ingest and migrations,
 * which wait as long as it takes, would hang rather than write wrongly).
 * Two processes each waiting for a key the other holds are a deadlock that
 * PostgreSQL detects: one of them fails, to run again.
 */
export const LockKeys = {
  /** Schema migrations: one starter at a time (replicas booting together). */
  migrations: (): LockKey => ({ space: 'text32', text: 'candlekeep:migrations' }),
  /** A scheduled task: one replica runs it at a time. */
  task: (name: string): LockKey => ({ space: 'text', text: `candlekeep:task:${name}` }),
  /** A series' claim for writing its candles (ingest, backfill, update-market-data, gap recovery). */
  series: (series: SeriesKey): LockKey => ({
    space: 'text',
    text: `candlekeep:fill:${series.assetId}:${series.intervalMinutes}`,
  }),
  /** Held, with a series' claim, by whoever commits a file of this content (SHA-256, hex). */
  content: (sha256: string): LockKey => ({ space: 'text', text: `candlekeep:content:${sha256}` }),
  /**
   * The coverage writers of a series, for one transaction. A pair key, so that a writer holding the series'
   * claim (a text key) never blocks its own coverage writes, whatever the hashes.
   */
  coverage: (series: SeriesKey): LockKey => ({ space: 'pair', high: series.assetId, low: series.intervalMinutes }),
} as const;

/** Two keys are the same lock (a claim does not take a key it already holds). */
export function sameLockKey(a: LockKey, b: LockKey): boolean {
  if (a.space === 'pair' || b.space === 'pair')
    return a.space === 'pair' && b.space === 'pair' && a.high === b.high && a.low === b.low;
  return a.space === b.space && a.text === b.text;
}
