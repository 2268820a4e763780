import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobKind, JobTrigger } from '../common/enums';
import { GapCounts, IngestionJob, JobParams } from '../entities/ingestion-job.entity';
import { IngestionJobRepository, wallClock } from './ingestion-job.repository';
import { JobHeartbeat } from './job-heartbeat';

export interface JobRunSpec {
  kind: JobKind;
  trigger: JobTrigger;
  /** The scheduled task this is a run of. */
  task?: string;
  params?: JobParams;
  /** The caller's own stop signal (SIGINT, SIGTERM); the run's signal aborts on it or when the job is cancelled. */
  signal?: AbortSignal;
  /** Told the job's id once its row exists, before the run begins (the HTTP API answers 202 with it). */
  onStarted?: (jobId: string) => void;
}

/** What a run that returned leaves in its job row besides its result. */
export interface JobRunOutcome {
  counts?: Partial<GapCounts>;
  /**
   * Work left undone (gaps failed, partial, deferred or held by another process; interrupted): PARTIAL, not COMPLETED.
   */
  incomplete: boolean;
}

/** A run's own result with the id of the job that records it. */
export type Recorded<T extends object> = { job_id: string } & T;

/** The outcome of a run with nothing to count that either returns (done) or throws. */
export const completed = (): JobRunOutcome => ({ incomplete: false });

/**
 * Makes one run (a backfill, a market-data update, a task) a job row of its
 * own: RUNNING with its heartbeat while it works, then its counts, result and
 * run time, COMPLETED or PARTIAL (work left undone), or FAILED with the error
 * when it throws (rethrown). `jobs cancel` aborts the run's signal; the run
 * stops at its next safe point and the row stays CANCELLED, with what it did.
 */
@Injectable()
export class JobRunRecorder {
  private readonly logger = new Logger(JobRunRecorder.name);

  constructor(
    private readonly jobs: IngestionJobRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async record<T extends object>(
    spec: JobRunSpec,
    run: (signal: AbortSignal) => Promise<T>,
    outcome: (result: T) => JobRunOutcome,
  ): Promise<Recorded<T>> {
    const job = IngestionJob.create(spec.kind, spec.params ?? {}, { trigger: spec.trigger, task: spec.task });
    job.start(this.clock.now(), wallClock());
    await this.jobs.insert(job);
    spec.onStarted?.(job.id);
    const heartbeat = new JobHeartbeat(this.jobs, job, 'at the next safe point of the run');
    heartbeat.start(this.config.jobs.heartbeatMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, heartbeat.signal]) : heartbeat.signal;
    let result: T;
    try {
      result = await run(signal);
    } catch (e) {
      await this.settle(heartbeat, () => job.fail(this.clock.now(), e instanceof Error ? e.message : String(e))).catch(
        (w: Error) => this.logger.warn(`job ${job.id}: its failure could not be recorded: ${w.message}`),
      );
      throw e;
    }
    const { counts = {}, incomplete } = outcome(result);
    Object.assign(job, counts);
    job.result = result;
    await this.settle(heartbeat, () => job.finish(this.clock.now(), incomplete, wallClock()));
    return { job_id: job.id, ...result };
  }

  /**
   * The last write: `transition` (finish, fail) while the job is still RUNNING. A cancelled job keeps the
   * CANCELLED status and end time `jobs cancel` gave it; what the run did until it stopped is still recorded.
   */
  private async settle(heartbeat: JobHeartbeat, transition: () => void): Promise<void> {
    heartbeat.stop();
    heartbeat.job.addRunTime(heartbeat.elapsedMs);
    await heartbeat.write(transition);
    if (heartbeat.cancelled) await this.jobs.writeOutcome(heartbeat.job);
  }
}
