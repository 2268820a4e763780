import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { SeriesKey } from '../common/series';

export interface ClaimOptions {
  /**
   * How long to wait for another process to release the claim: 0 tries once
   * (the default), Infinity waits as long as it takes. A claim not had in time
   * runs nothing.
   */
  waitMs?: number;
}

/** A series claim being held: further keys can be taken with it once they are known (e.g. a file's content, after reading it). */
export interface SeriesClaim {
  /**
   * Takes `key` too on the claim's session, waiting as long as it takes; released with the claim. No deadlock:
   * a further key is only ever taken while holding a series' claim, and a holder of one never waits for a series.
   */
  hold(key: string): Promise<void>;
}

/** The advisory-lock key of a series' claim (a text key hashed to one bigint; see below). */
export const seriesClaimKey = (series: SeriesKey) => `candlekeep:fill:${series.assetId}:${series.intervalMinutes}`;

/** The key held, with a series' claim, by whoever commits a file of this content (SHA-256, hex). */
export const contentClaimKey = (sha256: string) => `candlekeep:content:${sha256}`;

/**
 * Cross-process claims on a series for writing its candles: a PostgreSQL
 * session advisory lock held on a dedicated connection while the writer
 * (ingest, backfill, update-market-data) runs. Another process waits for it or
 * skips the series (ClaimOptions). The key space (one bigint from a hash of a
 * text key) is separate from the two-int keys that coverage writers use, so a
 * writer never blocks its own coverage writes.
 */
@Injectable()
export class SeriesLockRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs fn holding the series' claim (and whatever keys fn holds with it);
   * returns undefined without running it when another process holds the claim
   * past the wait. Ingest, backfill and update-market-data all claim a series
   * before writing its candles, so one process writes a series at a time.
   */
  async withSeriesLock<T>(
    series: SeriesKey,
    fn: (claim: SeriesClaim) => Promise<T>,
    opts: ClaimOptions = {},
  ): Promise<{ value: T } | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const held: string[] = [];
    try {
      const key = seriesClaimKey(series);
      if (!(await this.take(runner, key, opts.waitMs ?? 0))) return undefined;
      held.push(key);
      const claim: SeriesClaim = {
        hold: async (further) => {
          if (held.includes(further)) return;
          await this.take(runner, further, Number.POSITIVE_INFINITY);
          held.push(further);
        },
      };
      return { value: await fn(claim) };
    } finally {
      for (const key of held.reverse())
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      await runner.release();
    }
  }

  private async take(runner: QueryRunner, key: string, waitMs: number): Promise<boolean> {
    if (waitMs <= 0) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
        key,
      ])) as Array<{ locked: boolean }>;
      return locked;
    }
    // lock_timeout bounds the wait (0 = none); 55P03 is "lock not available" after it.
    await runner.query(`SELECT set_config('lock_timeout', $1, false)`, [
      Number.isFinite(waitMs) ? `${Math.ceil(waitMs)}ms` : '0',
    ]);
    try {
      await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      return true;
    } catch (e) {
      const code =
        (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
      if (code === '55P03') return false;
      throw e;
    } finally {
      await runner.query(`SELECT set_config('lock_timeout', '0', false)`).catch(() => undefined);
    }
  }
}
