import { Injectable, Logger } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AssetRepository } from '../assets/asset.repository';
import { BackfillService, BackfillSummary, DownloadListEntry } from '../backfill/backfill.service';
import { SeriesSelection } from '../gaps/gap-detector.service';
import { backfillCounts } from '../backfill/recorded-runs.service';
import { CompletenessReport, CompletenessReportService } from '../reports/completeness-report.service';
import { IngestProgress } from '../ingestion/ingest-progress';
import { IntervalMinutes, Tier } from '../common/enums';
import { IngestRequest, IngestResult, IngestService, JobFlags } from '../ingestion/ingest.service';
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

/** The series filter of a run (its report covers every expected series it selects). */
interface RunFilter {
  tier?: Tier;
  intervals?: IntervalMinutes[];
  symbols?: string[];
}

/** The options as the job's flags hold them (unset ones left out), so that `jobs resume` runs with them too. */
function optionFlags(opts: UnifiedIngestOptions): JobFlags {
  const flags: JobFlags = { noApi: opts.noApi, incremental: opts.incremental };
  if (opts.lookbackDays !== undefined) flags.lookbackDays = opts.lookbackDays;
  if (opts.maxCalls !== undefined) flags.maxCalls = opts.maxCalls;
  if (opts.downloadListFile !== undefined) flags.downloadListFile = resolve(opts.downloadListFile);
  return flags;
}

/**
 * The options a job was started with, from its flags. A job from before they were stored has no `noApi`:
 * its gaps are detected, and no API call it may not have asked for is made.
 */
function storedOptions(flags: JobFlags = {}): UnifiedIngestOptions {
  const number = (v: JobFlags[string] | undefined) => (v === undefined ? undefined : Number(v));
  return {
    noApi: flags.noApi !== false,
    incremental: flags.incremental === true,
    lookbackDays: number(flags.lookbackDays),
    maxCalls: number(flags.maxCalls),
    downloadListFile: flags.downloadListFile === undefined ? undefined : String(flags.downloadListFile),
  };
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
 * the completeness summary. `jobs resume` runs the same over a stopped job.
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
    const ingested = await this.ingest.ingest({ ...request, flags: optionFlags(opts) }, progress);
    return this.afterArchives(ingested, request, opts, request.signal);
  }

  /**
   * Resumes a stopped ingest job (its completed files kept, the rest redone), then detects and fills the gaps
   * of the series its files hold and reports, as the run it resumes would have: with the job's own filter
   * and options.
   */
  async resume(jobId: string, progress: IngestProgress): Promise<UnifiedIngestResult> {
    const ingested = await this.ingest.resume(jobId, progress);
    const job = await this.jobs.findById(ingested.job_id);
    const params = job?.params ?? {};
    const filter: RunFilter = {
      tier: params.tier as Tier | undefined,
      intervals: params.intervals as IntervalMinutes[] | undefined,
      symbols: params.symbols,
    };
    return this.afterArchives(ingested, filter, storedOptions(params.flags));
  }

  /** The gap half of the job and its report, over the series the archive half touched. */
  private async afterArchives(
    ingested: IngestResult,
    filter: RunFilter,
    opts: UnifiedIngestOptions,
    signal?: AbortSignal,
  ): Promise<UnifiedIngestResult> {
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
      signal,
    });
    await this.jobs.recordBackfill(ingested.job_id, {
      ...backfillCounts(backfill),
      incomplete: backfill.gaps_failed > 0 || backfill.gaps_partial > 0,
    });
    if (opts.downloadListFile) await writeFile(opts.downloadListFile, downloadListCsv(backfill.download_list));
    // The same series as `report` with the same filter: every expected series, not only the ones this run touched.
    const completeness = (
      await this.reports.build({ tier: filter.tier, intervals: filter.intervals, symbols: filter.symbols })
    ).summary;
    this.logger.log(
      `job ${ingested.job_id}: ${backfill.gaps_detected} gap(s) detected, ${backfill.gaps_filled} filled, ` +
        `${backfill.download_list.length} to download; completeness ${completeness.completeness_pct}%`,
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
