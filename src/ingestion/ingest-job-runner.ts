import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { IngestionJobRepository, wallClock } from '../jobs/ingestion-job.repository';
import { JobHeartbeat } from '../jobs/job-heartbeat';
import { takeUpCommand } from '../jobs/take-up';
import { FileLedgerRepository } from './file-ledger.repository';
import { JobConflictError, JobFinishedError, JobNotFoundError, JobNotResumableError } from './ingestion.errors';

/** One attempt at an ingest job: its heartbeat, and the signal that interrupted it, if any. */
export class JobAttempt {
  /** The signal that asked this run to stop (the job stays resumable), or null. */
  interrupted: string | null = null;

  constructor(readonly heartbeat: JobHeartbeat) {}

  /** Another process cancelled the job (or gave it up for dead). */
  get cancelled(): boolean {
    return this.heartbeat.cancelled;
  }
}

/**
 * An ingest job's life as a row: started (new) or taken up again (resume), kept alive by its heartbeat,
 * finished, failed or found cancelled, every write guarded by the status it expects; and the jobs of
 * processes that died given up so that they can be resumed.
 */
@Injectable()
export class IngestJobRunner {
  private readonly logger = new Logger(IngestJobRunner.name);

  constructor(
    private readonly jobs: IngestionJobRepository,
    private readonly ledger: FileLedgerRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** A new job, RUNNING. */
  async start(job: IngestionJob): Promise<void> {
    job.start(this.clock.now(), wallClock());
    await this.jobs.insert(job);
  }

  /** The ingest job `jobId` (or a prefix of it), if it can be resumed: stopped, not finished, not running. */
  async resumable(jobId: string): Promise<IngestionJob> {
    await this.abandonStaleJobs();
    const job = await this.jobs.findByIdOrPrefix(jobId);
    if (!job) throw new JobNotFoundError(`no ingestion job ${jobId}`);
    if (job.kind !== 'ingest') {
      throw new JobNotResumableError(
        `job ${jobId} is a ${job.kind} run: only ingest jobs resume; run ${takeUpCommand(job)} again`,
      );
    }
    if (job.status === 'RUNNING')
      throw new JobConflictError(`job ${jobId} is running (heartbeat ${job.heartbeatAt?.toISOString() ?? 'never'})`);
    if (!job.isResumable)
      throw new JobFinishedError(`job ${jobId} already finished (${job.status}): nothing to resume`);
    return job;
  }

  /** A resumable job RUNNING again, unless another process took it up (or cancelled it) meanwhile. */
  async restart(job: IngestionJob, jobId: string): Promise<void> {
    const previousStatus = job.status;
    job.start(this.clock.now(), wallClock());
    if (!(await this.jobs.writeIf(job, previousStatus)))
      throw new JobConflictError(`job ${jobId} changed while resuming`);
  }

  /**
   * Runs `work` over the RUNNING job with its heartbeat going (its result returned), then finishes it: COMPLETED or
   * PARTIAL, PARTIAL whatever was done when `signal` interrupted it; FAILED when `work` throws (rethrown), its
   * unfinished files too; CANCELLED when another process cancelled it meanwhile.
   */
  async run<T>(
    job: IngestionJob,
    signal: AbortSignal | undefined,
    work: (attempt: JobAttempt) => Promise<T>,
  ): Promise<T> {
    const heartbeat = new JobHeartbeat(this.jobs, job, 'after rolling back the current file');
    const attempt = new JobAttempt(heartbeat);
    heartbeat.start(this.config.jobs.heartbeatMs);
    const interrupt = () => (attempt.interrupted ??= String(signal?.reason ?? 'a signal'));
    if (signal?.aborted) interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    let done: T;
    try {
      done = await work(attempt);
      heartbeat.stop();
      // Interrupted: PARTIAL whatever was done, so `jobs resume` takes it up (the rolled-back file first).
      await heartbeat.write(() => {
        job.addRunTime(heartbeat.elapsedMs);
        job.finish(this.clock.now(), attempt.interrupted !== null, wallClock());
      });
    } catch (e) {
      heartbeat.stop();
      if (!heartbeat.cancelled && !job.isTerminal) {
        await heartbeat
          .write(() => {
            job.addRunTime(heartbeat.elapsedMs);
            job.fail(this.clock.now(), (e as Error).message);
          })
          .catch(() => undefined);
      }
      await this.ledger.failProcessing(job.id, `interrupted: ${(e as Error).message}`).catch(() => undefined);
      throw e;
    } finally {
      heartbeat.stop();
      signal?.removeEventListener('abort', interrupt);
    }
    if (heartbeat.cancelled) job.markCancelled();
    return done;
  }

  /**
   * RUNNING jobs whose heartbeat stopped (kill -9, crash) become PARTIAL; their unfinished files FAILED.
   * Silent for more than `maxSilenceMs` (default 3 heartbeats; the recover-stale-jobs task passes STALE_JOB_MINUTES).
   */
  async abandonStaleJobs(maxSilenceMs = 3 * this.config.jobs.heartbeatMs): Promise<number> {
    const now = wallClock();
    const stale = await this.jobs.findStaleRunning(new Date(now.getTime() - maxSilenceMs));
    for (const job of stale) {
      job.markAbandoned(now);
      if (await this.jobs.writeIf(job, 'RUNNING')) {
        await this.ledger.failProcessing(job.id, 'interrupted: the job stopped before this file was finished');
        this.logger.warn(`job ${job.id} was abandoned (${job.error}); take it up with \`${takeUpCommand(job)}\``);
      }
    }
    // A job that failed outright (its store went down, say) may have left a file behind it unfinished.
    const orphans = await this.ledger.failOrphans('interrupted: its job ended before this file was finished');
    if (orphans) this.logger.warn(`${orphans} file record(s) left unfinished by ended jobs marked FAILED`);
    return stale.length;
  }
}
