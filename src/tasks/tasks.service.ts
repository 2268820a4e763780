import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTime } from 'cron';
import { Clock } from '../common/clock';
import { JobStatus, JobTrigger } from '../common/enums';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { IngestionJobRepository } from '../jobs/ingestion-job.repository';
import { completed, JobRunRecorder, JobRunSpec } from '../jobs/job-run-recorder';
import { SCHEDULED_TASKS, ScheduledTask } from './scheduled-task';
import { UnknownTaskError } from './task.errors';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';

/** A task's newest run, from its job row (a run still going has no finished_at nor duration yet). */
export interface TaskLastRun {
  job_id: string;
  trigger: JobTrigger;
  status: JobStatus;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface TaskInfo {
  name: string;
  kind: string;
  description: string;
  cron: string;
  next_runs: string[];
  last_run: TaskLastRun | null;
}

export interface TaskRun {
  task: string;
  ran: boolean;
  /** The job row of the run (none when it was skipped). */
  job_id?: string;
  /** Why it did not run (another process holds the task's lock). */
  skipped?: string;
  started_at: string;
  duration_ms: number;
  result?: object;
}

/** What a caller of TasksService.run may add: its own stop signal, and to be told the job's id once it exists. */
export type TaskRunHooks = Pick<JobRunSpec, 'signal' | 'onStarted'>;

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @Inject(SCHEDULED_TASKS) private readonly tasks: ScheduledTask[],
    private readonly locks: AdvisoryLockRepository,
    private readonly recorder: JobRunRecorder,
    private readonly jobs: IngestionJobRepository,
    private readonly clock: Clock,
  ) {}

  all(): readonly ScheduledTask[] {
    return this.tasks;
  }

  get(name: string): ScheduledTask {
    const task = this.tasks.find((t) => t.name === name);
    if (!task)
      throw new UnknownTaskError(
        `unknown task ${JSON.stringify(name)}; tasks: ${this.tasks.map((t) => t.name).join(', ')}`,
      );
    return task;
  }

  /** Every task with its cron expression, next run times (UTC) from now and its last run. */
  async list(count = 3): Promise<TaskInfo[]> {
    const last = await this.jobs.latestPerTask(this.tasks.map((t) => t.name));
    return this.tasks.map((t) => {
      const time = new CronTime(t.cron(), 'UTC');
      const next: string[] = [];
      let from = this.clock.now();
      for (let i = 0; i < count; i++) {
        const d = time.getNextDateFrom(from, 'UTC').toJSDate();
        next.push(d.toISOString());
        from = d;
      }
      const job = last.get(t.name);
      return {
        name: t.name,
        kind: t.kind,
        description: t.description,
        cron: t.cron(),
        next_runs: next,
        last_run: job ? lastRun(job) : null,
      };
    });
  }

  /**
   * Runs a task under its advisory lock, recorded as a job of the task's kind; skips (no job) when another
   * process is running it.
   */
  async run(name: string, trigger: JobTrigger, hooks: TaskRunHooks = {}): Promise<TaskRun> {
    const task = this.get(name);
    const started = Date.now();
    const startedAt = this.clock.now().toISOString();
    const outcome = await this.locks.tryWithLock(LockKeys.task(task.name), () =>
      this.recorder.record(
        { kind: task.kind, trigger, task: task.name, ...hooks },
        (signal) => task.run(signal),
        (r) => task.outcome?.(r) ?? completed(),
      ),
    );
    const duration = Date.now() - started;
    if (!outcome) {
      this.logger.log(`${task.name}: skipped, another process holds its lock`);
      return {
        task: task.name,
        ran: false,
        skipped: 'another process is running this task',
        started_at: startedAt,
        duration_ms: duration,
      };
    }
    this.logger.log(`${task.name}: done in ${duration} ms`);
    const { job_id, ...result } = outcome.value;
    return { task: task.name, ran: true, job_id, started_at: startedAt, duration_ms: duration, result };
  }
}

function lastRun(j: IngestionJob): TaskLastRun {
  return {
    job_id: j.id,
    trigger: j.trigger,
    status: j.status,
    started_at: j.startedAt?.toISOString() ?? null,
    finished_at: j.finishedAt?.toISOString() ?? null,
    duration_ms: j.durationMs,
  };
}
