import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { TasksService } from './tasks.service';

/**
 * Server only: registers every task's cron job (UTC, expression from the
 * configuration) when SCHEDULES_ENABLED. Each tick goes through
 * TasksService.run, so only one replica runs a task at a time.
 */
@Injectable()
export class TaskScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(TaskScheduler.name);

  constructor(
    private readonly tasks: TasksService,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedules.enabled) {
      this.logger.log('schedules disabled (SCHEDULES_ENABLED=false)');
      return;
    }
    for (const task of this.tasks.all()) {
      const job = CronJob.from({
        cronTime: task.cron(),
        timeZone: 'UTC',
        start: true,
        waitForCompletion: true,
        onTick: async () => {
          try {
            await this.tasks.run(task.name, 'schedule');
          } catch (e) {
            this.logger.error(`${task.name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          }
        },
      });
      this.registry.addCronJob(task.name, job);
      this.logger.log(`scheduled ${task.name} at "${task.cron()}" (UTC), next ${job.nextDate().toISO()}`);
    }
  }
}
