import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { BackfillOptions } from '../backfill/backfill.service';
import { RecordedRunsService } from '../backfill/recorded-runs.service';
import { JobStatus } from '../common/enums';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { SeriesSelectorService } from '../gaps/series-selector.service';
import { JobFinishedError } from '../ingestion/ingestion.errors';
import { JobsService, JobSummary } from '../ingestion/jobs.service';
import { BackfillTask } from './backfill.task';
import { JobAlreadyFinishedError, TaskLockedError } from './task.errors';
import { TaskRunHooks, TasksService } from './tasks.service';

/** A run started in the background: its job row exists (RUNNING); the work goes on. */
export interface StartedJob {
  job_id: string;
  status: JobStatus;
}

/**
 * Runs the HTTP API starts (backfills, task runs) in the background: the caller gets the job's id as soon as its row
 * exists, while the run goes on under the same advisory lock the scheduled task takes, held (on a connection of its
 * own) until the run ends, whatever becomes of the request. A run asked for while the lock is held is refused
 * (TaskLockedError). A background run's failure is logged and recorded in its job row (FAILED), never rethrown. On
 * shutdown (SIGTERM) the runs are aborted at their next safe point, as a command's are by its signal, and waited for
 * before the database goes away.
 */
@Injectable()
export class BackgroundJobsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(BackgroundJobsService.name);
  private readonly shutdown = new AbortController();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly tasks: TasksService,
    private readonly backfillTask: BackfillTask,
    private readonly runs: RecordedRunsService,
    private readonly selector: SeriesSelectorService,
    private readonly locks: AdvisoryLockRepository,
    private readonly jobs: JobsService,
  ) {}

  /**
   * `candlekeep backfill` with these options, under the lock of the scheduled backfill task (so never beside it nor
   * beside another backfill started here). The selection is made first: an unknown symbol or a series that cannot be
   * selected is refused at once, not a failed job.
   */
  async backfill(opts: BackfillOptions): Promise<StartedJob> {
    const series = await this.selector.select(opts);
    const task = this.backfillTask.name;
    const busy = `a backfill is running (it holds the lock of task ${task}): try again once it has finished`;
    return this.launch('backfill', busy, async (hooks) => {
      const held = await this.locks.tryWithLock(LockKeys.task(task), () =>
        this.runs.backfill('api', { ...opts, series, signal: hooks.signal }, hooks.onStarted),
      );
      return held !== undefined;
    });
  }

  /** `candlekeep tasks run NAME`, in the background: UnknownTaskError when there is no such task. */
  runTask(name: string): Promise<StartedJob> {
    const busy = `task ${name} is running (here or in another replica): try again once it has finished`;
    return this.launch(`task ${name}`, busy, async (hooks) => (await this.tasks.run(name, 'api', hooks)).ran);
  }

  /** `candlekeep jobs cancel ID`; a job that has finished already is a conflict here (JobAlreadyFinishedError). */
  async cancel(id: string): Promise<JobSummary> {
    try {
      return await this.jobs.cancel(id);
    } catch (e) {
      if (e instanceof JobFinishedError) throw new JobAlreadyFinishedError(e.message, { cause: e });
      throw e;
    }
  }

  /** Aborts the runs in hand (reason: the signal's name) and waits until each has stopped and been recorded. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (this.running.size === 0) return;
    this.logger.warn(`${signal ?? 'shutdown'}: stopping ${this.running.size} run(s) at their next safe point`);
    this.shutdown.abort(signal ?? 'shutdown');
    await Promise.all(this.running);
  }

  /**
   * Starts `work` (true when it ran, false when its lock was held) and settles once its job row exists: with the
   * job, or with the error that came before it (TaskLockedError saying `busy` when the lock was held).
   */
  private launch(
    what: string,
    busy: string,
    work: (hooks: Required<TaskRunHooks>) => Promise<boolean>,
  ): Promise<StartedJob> {
    return new Promise((resolve, reject) => {
      let jobId: string | undefined;
      const onStarted = (id: string) => {
        jobId = id;
        this.logger.log(`${what}: job ${id} started`);
        resolve({ job_id: id, status: 'RUNNING' });
      };
      const run = work({ signal: this.shutdown.signal, onStarted }).then(
        (ran) => {
          if (!ran) reject(new TaskLockedError(busy));
          else this.logger.log(`${what}: job ${jobId} ended`);
        },
        (e: unknown) => {
          if (jobId === undefined) return reject(e);
          // The recorder has made the job FAILED with the error.
          this.logger.error(`${what}: job ${jobId} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        },
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    });
  }
}
