import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Fillability, GapStatus, RESOLVED_GAP_STATUSES } from '../entities/enums';

export interface GapSpanRow {
  assetId: number;
  intervalMinutes: number;
  from: number;
  to: number;
  missing: number;
  fillability: Fillability;
  status: GapStatus;
}

/** Read-side queries of the reports: raw rows in epoch seconds, one round trip for many series. */
@Injectable()
export class ReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Series that have coverage or gap records, for the given assets. */
  async knownSeries(assetIds: readonly number[]): Promise<Array<{ assetId: number; intervalMinutes: number }>> {
    if (assetIds.length === 0) return [];
    const rows: Array<{ a: number; i: number }> = await this.dataSource.query(
      `SELECT asset_id AS a, interval_minutes AS i FROM data_coverage_ranges WHERE asset_id = ANY($1::int[])
        UNION
       SELECT asset_id, interval_minutes FROM gap_records WHERE asset_id = ANY($1::int[])
       ORDER BY 1, 2`,
      [assetIds],
    );
    return rows.map((r) => ({ assetId: r.a, intervalMinutes: r.i }));
  }

  /** Gap records of the series (open ones always; resolved ones too when asked, e.g. for timelines). */
  async gapSpans(assetIds: readonly number[], intervals: readonly number[], includeResolved: boolean): Promise<GapSpanRow[]> {
    if (assetIds.length === 0 || intervals.length === 0) return [];
    const rows: Array<{ a: number; i: number; f: string; t: string; m: string; fl: Fillability; s: GapStatus }> = await this.dataSource.query(
      `SELECT asset_id AS a, interval_minutes AS i, extract(epoch FROM start_ts)::bigint AS f, extract(epoch FROM end_ts)::bigint AS t,
              missing_intervals AS m, fillability AS fl, status AS s
         FROM gap_records
        WHERE asset_id = ANY($1::int[]) AND interval_minutes = ANY($2::int[])
          AND ($3::boolean OR status <> ALL($4::text[]))
        ORDER BY asset_id, interval_minutes, start_ts`,
      [assetIds, intervals, includeResolved, RESOLVED_GAP_STATUSES],
    );
    return rows.map((r) => ({
      assetId: r.a,
      intervalMinutes: r.i,
      from: Number(r.f),
      to: Number(r.t),
      missing: Number(r.m),
      fillability: r.fl,
      status: r.s,
    }));
  }
}
