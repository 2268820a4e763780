import { Injectable } from '@nestjs/common';
import { SeriesService, SeriesView } from '../coverage/series.service';
import { CompletenessReportService } from './completeness-report.service';

/** A held series with what the completeness report says of it (null for an inactive asset's series: not reported). */
export interface SeriesOverview extends SeriesView {
  /** Slots of the expected window, IGNORED spans left out: covered + missing. */
  expected_candles: number | null;
  missing_candles: number | null;
  coverage_pct: number | null;
  open_gaps: number | null;
  suspect_gaps: number | null;
}

/**
 * `series list`: the expected series with candle counts and sources (from coverage) beside the report's
 * figures for each, so the two commands never disagree on what is covered or missing.
 */
@Injectable()
export class SeriesOverviewService {
  constructor(
    private readonly series: SeriesService,
    private readonly reports: CompletenessReportService,
  ) {}

  async list(filter: { symbols?: readonly string[]; intervals?: readonly number[] }): Promise<SeriesOverview[]> {
    const listed = (await this.series.list(filter.symbols)).filter(
      (s) => !filter.intervals?.length || filter.intervals.includes(s.interval),
    );
    if (listed.length === 0) return [];
    const report = await this.reports.build({ intervals: [...new Set(listed.map((s) => s.interval))] });
    const reported = new Map(report.series.map((r) => [`${r.symbol}/${r.interval}`, r]));
    return listed.map((s) => {
      const r = reported.get(`${s.symbol}/${s.interval}`);
      return {
        ...s,
        expected_candles: r ? s.covered_candles + r.missing_intervals : null,
        missing_candles: r?.missing_intervals ?? null,
        coverage_pct: r?.coverage_pct ?? null,
        open_gaps: r?.open_gaps ?? null,
        suspect_gaps: r?.suspect_gaps ?? null,
      };
    });
  }
}
