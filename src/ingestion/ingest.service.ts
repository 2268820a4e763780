import { Injectable } from '@nestjs/common';
import { resolve } from 'node:path';
import { IntervalMinutes, Tier } from '../common/enums';
import { SeriesRef } from '../common/series';
import { CoverageRepository } from '../coverage/coverage.repository';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { jobCounts } from '../jobs/job-counts';
import { ArchiveDiscoveryService, DiscoveredFile, Discovery } from './archive-discovery.service';
import { FileDedupService } from './file-dedup.service';
import { FileLoaderService } from './file-loader.service';
import { FileSelectionService } from './file-selection.service';
import { IngestJobRunner } from './ingest-job-runner';
import { IngestProgress, NO_PROGRESS } from './ingest-progress';
import { DEFAULT_MAX_REJECT_RATIO, IngestRequest, IngestResult, RunContext, SeriesSummary } from './ingest-run';
import { IngestionRejectRepository } from './ingestion-reject.repository';

export { DEFAULT_MAX_REJECT_RATIO } from './ingest-run';
export type { IngestRequest, IngestResult, JobFlags, SeriesSummary } from './ingest-run';
export type { RejectSummary } from './reject-summary';

/** How many rejects the run's output lists. */
const OUTPUT_REJECTS = 100;

/**
 * The archive half of `candlekeep ingest`: discovers files, ledgers each one,
 * skips content already ingested, streams and validates the rest into the
 * CandleStore (one transaction per file), then records coverage — in that
 * order, so that a crash at any point leaves nothing wrong, only work to redo.
 */
@Injectable()
export class IngestService {
  constructor(
    private readonly discovery: ArchiveDiscoveryService,
    private readonly selection: FileSelectionService,
    private readonly runner: IngestJobRunner,
    private readonly dedup: FileDedupService,
    private readonly loader: FileLoaderService,
    private readonly locks: AdvisoryLockRepository,
    private readonly coverage: CoverageRepository,
    private readonly rejects: IngestionRejectRepository,
  ) {}

  /** A new job over `request`. */
  async ingest(request: IngestRequest, progress: IngestProgress = NO_PROGRESS): Promise<IngestResult> {
    const found = await this.discovery.discover(request.paths);
    try {
      await this.selection.refuseEmptySelection(request, found);
      await this.runner.abandonStaleJobs();
      const job = IngestionJob.create('ingest', {
        paths: request.paths.map((p) => resolve(p)),
        tier: request.tier,
        intervals: request.intervals,
        symbols: request.symbols,
        flags: { ...request.flags, maxRejectRatio: request.maxRejectRatio },
      });
      await this.runner.start(job);
      return await this.run(job, request, found, progress);
    } finally {
      found.close();
    }
  }

  /** Resumes an interrupted or partial job: its completed files are kept, the rest is (re)done. */
  async resume(jobId: string, progress: IngestProgress = NO_PROGRESS): Promise<IngestResult> {
    const job = await this.runner.resumable(jobId);
    const request: IngestRequest = {
      paths: job.params.paths ?? [],
      tier: job.params.tier as Tier | undefined,
      intervals: job.params.intervals as IntervalMinutes[] | undefined,
      symbols: job.params.symbols,
      maxRejectRatio: Number(job.params.flags?.maxRejectRatio ?? DEFAULT_MAX_REJECT_RATIO),
    };
    const found = await this.discovery.discover(request.paths);
    try {
      await this.runner.restart(job, jobId);
      return await this.run(job, request, found, progress);
    } finally {
      found.close();
    }
  }

  /** See IngestJobRunner.abandonStaleJobs. */
  abandonStaleJobs(maxSilenceMs?: number): Promise<number> {
    return this.runner.abandonStaleJobs(maxSilenceMs);
  }

  private async run(
    job: IngestionJob,
    request: IngestRequest,
    found: Discovery,
    progress: IngestProgress,
  ): Promise<IngestResult> {
    const previous = await this.dedup.previousRecords(job);
    let ctx: RunContext;
    try {
      ctx = await this.runner.run(job, request.signal, async (attempt) => {
        const run: RunContext = {
          job,
          request,
          progress,
          previous,
          attempt,
          series: new Map(),
          headers: [],
          rejectSummary: new Map(),
          loaded: new Map(),
        };
        const selected = await this.selection.selectFiles(request, found.files);
        job.resetFileCounts();
        job.filesTotal = selected.length;
        await attempt.heartbeat.write();
        progress.begin({ files: selected.length, bytes: selected.reduce((n, s) => n + s.file.sizeBytes, 0) });
        for (const { file, asset } of selected) {
          if (attempt.cancelled || attempt.interrupted) break;
          const series: SeriesRef = {
            assetId: asset.id,
            symbol: asset.symbol,
            intervalMinutes: file.member.intervalMinutes,
          };
          progress.fileStarted(file.name);
          // A series is the run's (and expected) only through a file that holds rows of it: a FAILED file registers
          // none.
          if (await this.ingestFile(run, file, series)) run.series.set(`${asset.id}/${series.intervalMinutes}`, series);
          progress.fileFinished();
          await attempt.heartbeat.write();
        }
        if (!attempt.cancelled) await this.loader.crossCheck(run);
        return run;
      });
    } finally {
      progress.end();
    }
    return this.result(ctx, found);
  }

  /** Skips the file when its content is ingested already (known before reading it, or once read), else loads it. */
  private async ingestFile(ctx: RunContext, file: DiscoveredFile, series: SeriesRef): Promise<boolean> {
    const record = await this.dedup.recordFor(ctx, file, series);
    if (!record) return true;

    // Fast pre-check, no content read: same loose file (path, size, mtime) or same member CRC-32 and size.
    const seen = await this.dedup.knownFile(file);
    if (seen) return this.dedup.skipDuplicate(ctx, record, seen, file);

    // One writer per series across processes: a second process waits, then finds the file completed (a duplicate)
    // or the series' new candles (so its direct-COPY probe sees them). The content is known only once the file is
    // read, so its claim is taken by load(), after the pass.
    const claimed = await this.locks.withLock(
      LockKeys.series(series),
      async (claim) => {
        // Another process may have completed this very file while this one waited: still skipped unread.
        const done = await this.dedup.knownFile(file);
        if (done) return this.dedup.skipDuplicate(ctx, record, done, file);
        return this.loader.load(ctx, file, series, record, claim);
      },
      { waitMs: Number.POSITIVE_INFINITY },
    );
    return claimed?.value ?? false;
  }

  private async result(ctx: RunContext, found: Discovery): Promise<IngestResult> {
    const { job } = ctx;
    const series: SeriesSummary[] = [];
    // What the series now holds, from its coverage ranges (their candle counts are recounted from the store
    // on every merge): a count(*) over a freshly loaded series would cost seconds per ten million candles.
    for (const s of [...ctx.series.values()].sort(
      (a, b) => a.symbol.localeCompare(b.symbol) || a.intervalMinutes - b.intervalMinutes,
    )) {
      const ranges = await this.coverage.listForSeries(s);
      series.push({
        symbol: s.symbol,
        interval: s.intervalMinutes,
        first_ts: ranges.length ? ranges[0]!.startTs.toISOString() : null,
        last_ts: ranges.length ? ranges[ranges.length - 1]!.endTs.toISOString() : null,
        candles: ranges.reduce((n, r) => n + r.candleCount, 0),
      });
    }
    return {
      job_id: job.id,
      status: job.status,
      ...jobCounts(job),
      unrecognized: found.unrecognized,
      skipped: found.skipped,
      headers_skipped: ctx.headers,
      reject_summary: [...ctx.rejectSummary.values()],
      series,
      rejects: await this.rejects.listForJob(job.id, OUTPUT_REJECTS),
      interrupted: ctx.attempt.interrupted,
    };
  }
}
