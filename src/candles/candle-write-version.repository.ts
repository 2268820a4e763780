import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CandlekeepError } from '../common/errors';
import { SeriesKey } from '../common/series';

/**
 * The write version of a series could not be read or raised (the state database failed). Raised after a write:
 * the write is reported failed — cached aggregates of the series could otherwise outlive it.
 */
export class CandleWriteVersionError extends CandlekeepError {
  readonly code = 'CANDLE_WRITE_VERSION';
  readonly kind = 'unavailable' as const;
}

/**
 * `candle_series_versions`: a counter per series, raised by every candle write once the store made it visible,
 * shared by every process on the state database. An aggregate cached under a version is of data no newer than
 * that version's writes (CachedCandleStore).
 */
@Injectable()
export class CandleWriteVersionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The series' version: 0 before its first write. */
  async current(series: SeriesKey): Promise<number> {
    const rows = await this.query<{ version: string }>(
      'reading',
      series,
      'SELECT version FROM candle_series_versions WHERE asset_id = $1 AND interval_minutes = $2',
    );
    return Number(rows[0]?.version ?? 0);
  }

  /** Raises the series' version; returns the new one. */
  async bump(series: SeriesKey): Promise<number> {
    const rows = await this.query<{ version: string }>(
      'raising',
      series,
      `INSERT INTO candle_series_versions AS v (asset_id, interval_minutes, version, written_at)
       VALUES ($1, $2, 1, now())
       ON CONFLICT (asset_id, interval_minutes) DO UPDATE SET version = v.version + 1, written_at = now()
       RETURNING version`,
    );
    return Number(rows[0]!.version);
  }

  private async query<T>(action: string, series: SeriesKey, sql: string): Promise<T[]> {
    try {
      return await this.dataSource.query<T[]>(sql, [series.assetId, series.intervalMinutes]);
    } catch (e) {
      throw new CandleWriteVersionError(
        `${action} the write version of series ${series.assetId}:${series.intervalMinutes}m failed: ` +
          (e as Error).message,
        { cause: e },
      );
    }
  }
}
