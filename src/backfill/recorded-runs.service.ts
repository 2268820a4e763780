import { Injectable } from '@nestjs/common';
import { JobTrigger } from '../common/enums';
import { GapCounts, JobParams } from '../entities/ingestion-job.entity';
import { JobRunOutcome, JobRunRecorder, Recorded } from '../jobs/job-run-recorder';
import { BackfillOptions, BackfillService, BackfillSummary, leftWorkUndone } from './backfill.service';
import {
  MarketDataUpdateRequest,
  MarketDataUpdateResult,
  MarketDataUpdateService,
  UpdateProgress,
} from './market-data-update.service';

/** A backfill's job counters (filled: candles stored or the span proven empty), for its own job or an ingest's. */
export function backfillCounts(s: BackfillSummary): GapCounts {
  return {
    gapsDetected: s.gaps_detected,
    gapsFilled: s.gaps_filled + s.gaps_verified_empty,
    gapsUnfillable: s.gaps_unfillable,
    apiCalls: s.api_calls,
  };
}

/** One job's outcome for one or several backfills (the scheduled task runs one per tier/interval set). */
export function backfillOutcome(...runs: BackfillSummary[]): JobRunOutcome {
  const counts: GapCounts = { gapsDetected: 0, gapsFilled: 0, gapsUnfillable: 0, apiCalls: 0 };
  for (const c of runs.map(backfillCounts))
    for (const k of Object.keys(counts) as Array<keyof GapCounts>) counts[k] += c[k];
  return { counts, incomplete: runs.some(leftWorkUndone) };
}

/** Anything short of every series up to date (a series or a category failed) left work undone. */
export function updateOutcome(r: MarketDataUpdateResult): JobRunOutcome {
  return { counts: { apiCalls: r.api_calls }, incomplete: r.status !== 'success' };
}

/** The flags a run was given, as a job's params hold them (unset ones left out). */
function flags(given: Record<string, string | number | boolean | undefined>): NonNullable<JobParams['flags']> {
  return Object.fromEntries(
    Object.entries(given).filter((e): e is [string, string | number | boolean] => e[1] !== undefined),
  );
}

/**
 * `backfill` and `update-market-data` as job rows of their own (kind, trigger, counts, result). The unified
 * ingest calls BackfillService itself: its backfill is part of its ingest job, never a second row.
 */
@Injectable()
export class RecordedRunsService {
  constructor(
    private readonly backfiller: BackfillService,
    private readonly updater: MarketDataUpdateService,
    private readonly recorder: JobRunRecorder,
  ) {}

  /** `onStarted` is told the job's id once its row exists (JobRunSpec). */
  backfill(
    trigger: JobTrigger,
    opts: BackfillOptions,
    onStarted?: (jobId: string) => void,
  ): Promise<Recorded<BackfillSummary>> {
    const params: JobParams = {
      tier: opts.tier,
      intervals: opts.intervals && [...opts.intervals],
      symbols: opts.symbols && [...opts.symbols],
      flags: flags({
        lookbackDays: opts.lookbackDays,
        incremental: opts.incremental,
        maxCalls: opts.maxCalls,
        retryFailed: opts.retryFailed,
        from: opts.expectFrom,
        to: opts.fillUntil,
      }),
    };
    return this.recorder.record(
      { kind: 'backfill', trigger, params, signal: opts.signal, onStarted },
      (signal) => this.backfiller.run({ ...opts, signal }),
      (summary) => backfillOutcome(summary),
    );
  }

  updateMarketData(
    trigger: JobTrigger,
    request: MarketDataUpdateRequest,
    onProgress?: (p: UpdateProgress) => void,
  ): Promise<Recorded<MarketDataUpdateResult>> {
    const { categories, force, symbols } = request;
    return this.recorder.record(
      {
        kind: 'update-market-data',
        trigger,
        params: { symbols: symbols && [...symbols], flags: flags({ categories: categories.join(','), force }) },
      },
      () => this.updater.update(request, onProgress),
      updateOutcome,
    );
  }
}
