import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { SeriesKey } from './coverage.repository';

export interface ClaimOptions {
  /**
   * How long to wait for another process to release the claim: 0 tries once
   * (the default), Infinity waits as long as it takes. A claim not had in time
   * runs nothing.
   */
  waitMs?: number;
  /** Further keys to hold with it (e.g. a file's content), taken after the series' in this order. */
  alsoKeys?: readonly string[];
}

/** The advisory-lock key of a series' claim (a text key hashed to one bigint; see below). */
export const seriesClaimKey = (series: SeriesKey) => `candlekeep:fill:${series.assetId}:${series.intervalMinutes}`;

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
   * Runs fn holding the series' claim (and the other keys asked for); returns
   * undefined without running it when another process holds the claim past
   * the wait. Ingest, backfill and update-market-data all claim a series before
   * writing its candles, so one process writes a series at a time.
   */
  async withSeriesLock<T>(series: SeriesKey, fn: () => Promise<T>, opts: ClaimOptions = {}): Promise<{ value: T } | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const keys = [seriesClaimKey(series), ...(opts.alsoKeys ?? [])];
    const held: string[] = [];
    const waitMs = opts.waitMs ?? 0;
    try {
      for (const key of keys) {
        // Only the series' claim may be given up on; further keys are waited for (their holders are short).
        const wait = held.length === 0 ? waitMs : Number.POSITIVE_INFINITY;
        if (!(await this.take(runner, key, wait))) return undefined;
        held.push(key);
      }
      return { value: await fn() };
    } finally {
      for (const key of held.reverse()) await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      await runner.release();
    }
  }

  private async take(runner: QueryRunner, key: string, waitMs: number): Promise<boolean> {
    if (waitMs <= 0) {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key])) as Array<{ locked: boolean }>;
      return locked;
    }
    // lock_timeout bounds the wait (0 = none); 55P03 is "lock not available" after it.
    await runner.query(`SELECT set_config('lock_timeout', $1, false)`, [Number.isFinite(waitMs) ? `${Math.ceil(waitMs)}ms` : '0']);
    try {
      await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      return true;
    } catch (e) {
      const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
      if (code === '55P03') return false;
      throw e;
    } finally {
      await runner.query(`SELECT set_config('lock_timeout', '0', false)`).catch(() => undefined);
    }
  }
}
