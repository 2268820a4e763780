import { Injectable, Logger } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { AssetRepository } from '../assets/asset.repository';
import { BackfillService, BackfillSummary, DownloadListEntry } from '../backfill/backfill.service';
import { SeriesSelection } from '../gaps/gap-detector.service';
import { backfillCounts } from '../backfill/recorded-runs.service';
import { CompletenessReport, CompletenessReportService } from '../reports/completeness-report.service';
import { IngestProgress } from '../ingestion/ingest-progress';
import { IngestRequest, IngestResult, IngestService } from '../ingestion/ingest.service';
import { IngestionJobRepository } from '../jobs/ingestion-job.repository';
import { renderCsvRows } from '../common/csv';

export interface UnifiedIngestOptions {
  /** Stop after gap detection: no API call. */
  noApi: boolean;
  incremental: boolean;
  lookbackDays?: number;
  maxCalls?: number;
  /** Also write the download list as CSV here. */
  downloadListFile?: string;
}

export type UnifiedIngestResult = IngestResult &
  Omit<BackfillSummary, 'download_list'> & {
    download_list: DownloadListEntry[];
    completeness: CompletenessReport['summary'];
    /** After an interruption, the command that takes the work up where it stopped; else null. */
    resume: string | null;
  };

/**
 * `candlekeep ingest`, the unified run under one IngestionJob: ledger and
 * load the archives (IngestService), then for every series they touched
 * detect gaps, route them (API_OHLC → OHLC, API_TRADES → trades,
 * ARCHIVE_ONLY → download list), backfill unless --no-api, and finish with
 * the completeness summary.
 */
@Injectable()
export class UnifiedIngestService {
  private readonly logger = new Logger(UnifiedIngestService.name);

  constructor(
    private readonly ingest: IngestService,
    private readonly backfill: BackfillService,
    private readonly assets: AssetRepository,
    private readonly jobs: IngestionJobRepository,
    private readonly reports: CompletenessReportService,
  ) {}

  async run(
    request: IngestRequest,
    opts: UnifiedIngestOptions,
    progress: IngestProgress,
  ): Promise<UnifiedIngestResult> {
    const ingested = await this.ingest.ingest(request, progress);
    const series: SeriesSelection[] = [];
    for (const s of ingested.series) {
      const asset = await this.assets.findBySymbol(s.symbol);
      if (asset) series.push({ asset, intervalMinutes: s.interval });
    }
    // Interrupted during the archives, the signal is already aborted: the loaded series' gaps are still
    // detected (the ledger stays exact), no API call is made.
    const backfill = await this.backfill.run({
      series,
      noApi: opts.noApi,
      incremental: opts.incremental,
      lookbackDays: opts.lookbackDays,
      maxCalls: opts.maxCalls,
      signal: request.signal,
    });
    await this.jobs.recordBackfill(ingested.job_id, {
      ...backfillCounts(backfill),
      incomplete: backfill.gaps_failed > 0 || backfill.gaps_partial > 0,
    });
    if (opts.downloadListFile) await writeFile(opts.downloadListFile, downloadListCsv(backfill.download_list));
    // The same series as `report` with the same filter: every expected series, not only the ones this run touched.
    const completeness = (
      await this.reports.build({ tier: request.tier, intervals: request.intervals, symbols: request.symbols })
    ).summary;
    this.logger.log(
      `job ${ingested.job_id}: ${backfill.gaps_detected} gap(s) detected, ${backfill.gaps_filled} filled, ${backfill.download_list.length} to download; completeness ${completeness.completeness_pct}%`,
    );
    const interrupted = ingested.interrupted ?? backfill.interrupted;
    const resume = ingested.interrupted
      ? `candlekeep jobs resume ${ingested.job_id}`
      : backfill.interrupted
        ? 'candlekeep backfill'
        : null;
    return { ...ingested, ...backfill, completeness, interrupted, resume };
  }
}

export function downloadListCsv(list: readonly DownloadListEntry[]): string {
  return renderCsvRows(
    ['symbol', 'interval', 'start_ts', 'end_ts', 'archive_hint'],
    list.map((d) => [d.symbol, d.interval, d.start_ts, d.end_ts, d.archive_hint]),
  );
}
