import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SeriesKey } from './coverage.repository';

/**
 * Cross-process claims on a series for filling: a PostgreSQL session advisory
 * lock held on a dedicated connection while the filler runs. Another process
 * (replica, second `backfill`) that cannot take it skips the series. The key
 * space (one bigint from a hash) is separate from the two-int keys that
 * coverage writers use, so a filler never blocks its own coverage writes.
 */
@Injectable()
export class SeriesLockRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs fn holding the series' fill lock; returns undefined without running it when another process holds it. */
  async withSeriesLock<T>(series: SeriesKey, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `candlekeep:fill:${series.assetId}:${series.intervalMinutes}`;
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key])) as Array<{
        locked: boolean;
      }>;
      if (!locked) return undefined;
      try {
        return { value: await fn() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
