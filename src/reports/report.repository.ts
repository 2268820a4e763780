import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { copyOut, intArrayLiteral, textArrayLiteral } from '../database/binary-copy';
import { withPooledClient } from '../database/pooled-client';
import { Fillability, GapKind, GapStatus, LEDGER_GAP_STATUSES } from '../entities/enums';

export interface GapSpanRow {
  assetId: number;
  intervalMinutes: number;
  from: number;
  to: number;
  missing: number;
  fillability: Fillability;
  status: GapStatus;
  kind: GapKind;
}

/** Read-side queries of the reports: raw rows in epoch seconds, one binary COPY for many series. */
@Injectable()
export class ReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Gap and suspect records of the series (the ledger's always; closed ones too when asked, e.g. for timelines). */
  async gapSpans(assetIds: readonly number[], intervals: readonly number[], includeResolved: boolean): Promise<GapSpanRow[]> {
    if (assetIds.length === 0 || intervals.length === 0) return [];
    // Unordered (a server-side sort of every row spills to disk); callers group by series and sort there.
    return withPooledClient(this.dataSource, (client) =>
      copyOut(
        client,
        `SELECT asset_id, interval_minutes, start_ts, end_ts, missing_intervals, fillability, status, kind FROM gap_records
          WHERE asset_id = ANY(${intArrayLiteral(assetIds)}) AND interval_minutes = ANY(${intArrayLiteral(intervals)})
            ${includeResolved ? `AND status <> 'MERGED'` : `AND status = ANY(${textArrayLiteral(LEDGER_GAP_STATUSES)})`}`,
        (r) => ({
          assetId: r.int4(),
          intervalMinutes: r.int4(),
          from: r.epochSeconds(),
          to: r.epochSeconds(),
          missing: r.int8(),
          fillability: r.text() as Fillability,
          status: r.text() as GapStatus,
          kind: r.text() as GapKind,
        }),
      ),
    );
  }
}
