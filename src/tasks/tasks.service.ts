import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTime } from 'cron';
import { Clock } from '../common/clock';
import { SCHEDULED_TASKS, ScheduledTask } from './scheduled-task';
import { UnknownTaskError } from './task.errors';
import { TaskLockRepository } from './task-lock.repository';

export interface TaskInfo {
  name: string;
  description: string;
  cron: string;
  next_runs: string[];
}

export interface TaskRun {
  task: string;
  ran: boolean;
  /** Why it did not run (another process holds the task's lock). */
  skipped?: string;
  started_at: string;
  duration_ms: number;
  result?: object;
}

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @Inject(SCHEDULED_TASKS) private readonly tasks: ScheduledTask[],
    private readonly locks: TaskLockRepository,
    private readonly clock: Clock,
  ) {}

  all(): readonly ScheduledTask[] {
    return this.tasks;
  }

  get(name: string): ScheduledTask {
    const task = this.tasks.find((t) => t.name === name);
    if (!task) throw new UnknownTaskError(`unknown task ${JSON.stringify(name)}; tasks: ${this.tasks.map((t) => t.name).join(', ')}`);
    return task;
  }

  /** Every task with its cron expression and next run times (UTC) from now. */
  list(count = 3): TaskInfo[] {
    return this.tasks.map((t) => {
      const time = new CronTime(t.cron(), 'UTC');
      const next: string[] = [];
      let from = this.clock.now();
      for (let i = 0; i < count; i++) {
        const d = time.getNextDateFrom(from, 'UTC').toJSDate();
        next.push(d.toISOString());
        from = d;
      }
      return { name: t.name, description: t.description, cron: t.cron(), next_runs: next };
    });
  }

  /** Runs a task under its advisory lock; skips when another process is running it. */
  async run(name: string): Promise<TaskRun> {
    const task = this.get(name);
    const started = Date.now();
    const startedAt = this.clock.now().toISOString();
    const outcome = await this.locks.withTaskLock(task.name, () => task.run());
    const duration = Date.now() - started;
    if (!outcome.ran) {
      this.logger.log(`${task.name}: skipped, another process holds its lock`);
      return { task: task.name, ran: false, skipped: 'another process is running this task', started_at: startedAt, duration_ms: duration };
    }
    this.logger.log(`${task.name}: done in ${duration} ms`);
    return { task: task.name, ran: true, started_at: startedAt, duration_ms: duration, result: outcome.value };
  }
}
