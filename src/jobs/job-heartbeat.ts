import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { IngestionJobRepository, wallClock } from './ingestion-job.repository';

/** The reason of `signal` when the job was cancelled (`jobs cancel`) or abandoned by another process. */
export const JOB_CANCELLED = 'jobs cancel';

/**
 * Keeps a RUNNING job's row alive while its process works: every
 * JOB_HEARTBEAT_MS the job is written (counters, heartbeat), so that neither
 * the next ingest nor recover-stale-jobs takes it for a dead process's. Every
 * write (heartbeat, progress, finish) is queued behind the earlier ones and
 * conditional on the stored status still being RUNNING: when it is not,
 * another process cancelled the job (or gave it up for dead), `cancelled`
 * turns true and `signal` aborts, and the run stops at its next safe point.
 */
export class JobHeartbeat {
  private readonly logger = new Logger(JobHeartbeat.name);
  private readonly cancellation = new AbortController();
  private readonly began = performance.now();
  private writes: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  /** `stopping` says what the run does when cancelled (logged), e.g. "after rolling back the current file". */
  constructor(
    private readonly jobs: IngestionJobRepository,
    readonly job: IngestionJob,
    private readonly stopping: string,
  ) {}

  get cancelled(): boolean {
    return this.cancellation.signal.aborted;
  }

  /** Aborted (reason JOB_CANCELLED) when a write finds the job no longer RUNNING. */
  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  /** Milliseconds since this heartbeat was made (the attempt's run time). */
  get elapsedMs(): number {
    return performance.now() - this.began;
  }

  start(everyMs: number): void {
    this.timer ??= setInterval(
      () =>
        void this.write().catch((e: Error) => this.logger.warn(`heartbeat of job ${this.job.id} failed: ${e.message}`)),
      everyMs,
    );
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Writes the job (counters, heartbeat; after `transition` its new state), queued behind earlier writes. */
  write(transition?: () => void): Promise<void> {
    const next = this.writes.then(async () => {
      const { job } = this;
      if (this.cancelled || job.status !== 'RUNNING') return;
      job.heartbeat(wallClock());
      transition?.();
      if (!(await this.jobs.writeIf(job, 'RUNNING'))) {
        this.cancellation.abort(JOB_CANCELLED);
        this.logger.warn(`job ${job.id} was cancelled: stopping ${this.stopping}`);
      }
    });
    this.writes = next.catch(() => undefined);
    return next;
  }
}
