import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { copyOut, intArrayLiteral } from '../database/binary-copy';
import { withPooledClient } from '../database/pooled-client';
import { Series } from '../entities/series.entity';
import { SeriesKey, seriesKey } from '../common/series';

export interface ExpectedStart extends SeriesKey {
  /** Start of the expected window, epoch seconds (aligned to the interval). */
  from: number;
}

/** The expected series and the starts of their windows. */
@Injectable()
export class SeriesRepository {
  constructor(
    @InjectRepository(Series) private readonly repo: Repository<Series>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Expects the series from `from` on: a new series starts there, a known one
   * only moves its start earlier (coverage or a requested extension before
   * it), never later.
   */
  async expectFrom(starts: readonly ExpectedStart[]): Promise<void> {
    if (starts.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO series (asset_id, interval_minutes, expected_from)
       SELECT a, i, to_timestamp(f) FROM unnest($1::int[], $2::int[], $3::bigint[]) AS u(a, i, f)
       ON CONFLICT (asset_id, interval_minutes) DO UPDATE ` +
        `SET expected_from = LEAST(series.expected_from, EXCLUDED.expected_from)`,
      [starts.map((s) => s.assetId), starts.map((s) => s.intervalMinutes), starts.map((s) => s.from)],
    );
  }

  /** Expects the series not expected yet from `from` on; known ones keep their start. */
  async expectIfNew(starts: readonly ExpectedStart[]): Promise<void> {
    if (starts.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO series (asset_id, interval_minutes, expected_from)
       SELECT a, i, to_timestamp(f) FROM unnest($1::int[], $2::int[], $3::bigint[]) AS u(a, i, f)
       ON CONFLICT (asset_id, interval_minutes) DO NOTHING`,
      [starts.map((s) => s.assetId), starts.map((s) => s.intervalMinutes), starts.map((s) => s.from)],
    );
  }

  /** Window starts of the expected series among these assets and intervals, keyed by seriesKey() (one binary COPY). */
  async startsFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const s of await this.startsOf(assetIds, intervals)) out.set(seriesKey(s), s.from);
    return out;
  }

  /** The expected series among these assets and intervals with their window starts, unordered (one binary COPY). */
  async startsOf(assetIds: readonly number[], intervals: readonly number[]): Promise<ExpectedStart[]> {
    if (assetIds.length === 0 || intervals.length === 0) return [];
    return withPooledClient(this.dataSource, (client) =>
      copyOut(
        client,
        `SELECT asset_id, interval_minutes, expected_from FROM series
          WHERE asset_id = ANY(${intArrayLiteral(assetIds)}) AND interval_minutes = ANY(${intArrayLiteral(intervals)})`,
        (r) => ({ assetId: r.int4(), intervalMinutes: r.int4(), from: r.epochSeconds() }),
      ),
    );
  }

  /**
   * Stops expecting a series, in one transaction: its gap records, coverage
   * and `series` row go, and its completed files are marked FAILED ("series
   * dropped") so that ingesting them again loads them again. Returns what was
   * removed.
   */
  async drop(
    series: SeriesKey,
    when: Date,
  ): Promise<{ gaps: number; ranges: number; files: number; expected: boolean }> {
    return this.dataSource.transaction(async (em) => {
      const params = [series.assetId, series.intervalMinutes];
      const count = async (sql: string, p: unknown[] = params) => {
        const rows = await em.query<Array<{ n: number }>>(
          `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`,
          p,
        );
        return rows[0]?.n ?? 0;
      };
      const gaps = await count(`DELETE FROM gap_records WHERE asset_id = $1 AND interval_minutes = $2`);
      const ranges = await count(`DELETE FROM data_coverage_ranges WHERE asset_id = $1 AND interval_minutes = $2`);
      const files = await count(
        `UPDATE file_ingestion_records SET status = 'FAILED', error = $3
          WHERE asset_id = $1 AND interval_minutes = $2 AND status = 'COMPLETED'`,
        [...params, `series dropped at ${when.toISOString()}: ingest the file again to load it again`],
      );
      const expected = (await count(`DELETE FROM series WHERE asset_id = $1 AND interval_minutes = $2`)) > 0;
      return { gaps, ranges, files, expected };
    });
  }

  /**
   * The series held of these assets: expected, or with coverage (written before it was expected), ordered by asset then
   * interval.
   */
  async heldOf(assetIds: readonly number[]): Promise<SeriesKey[]> {
    if (assetIds.length === 0) return [];
    const rows: Array<{ a: number; i: number }> = await this.dataSource.query(
      `SELECT asset_id AS a, interval_minutes AS i FROM series WHERE asset_id = ANY($1::int[])
       UNION
       SELECT DISTINCT asset_id, interval_minutes FROM data_coverage_ranges WHERE asset_id = ANY($1::int[])
       ORDER BY 1, 2`,
      [assetIds],
    );
    return rows.map((r) => ({ assetId: r.a, intervalMinutes: r.i }));
  }

  /** The expected series of these assets (all intervals), ordered by asset then interval. */
  listForAssets(assetIds: readonly number[]): Promise<Series[]> {
    if (assetIds.length === 0) return Promise.resolve([]);
    return this.repo.find({ where: { assetId: In([...assetIds]) }, order: { assetId: 'ASC', intervalMinutes: 'ASC' } });
  }
}
