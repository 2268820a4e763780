import { Module } from '@nestjs/common';
import { BackfillModule } from '../backfill/backfill.module';
import { GapsModule } from '../gaps/gaps.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { JobRunsModule } from '../jobs/job-runs.module';
import { ReportsModule } from '../reports/reports.module';
import { BackfillTask } from './backfill.task';
import { BackgroundJobsService } from './background-jobs.service';
import { CleanupTask } from './cleanup.task';
import { RecoverStaleJobsTask } from './recover-stale-jobs.task';
import { ReportTask } from './report.task';
import { SCHEDULED_TASKS, ScheduledTask } from './scheduled-task';
import { TasksService } from './tasks.service';
import { UpdateMarketDataTask } from './update-market-data.task';
import { ValidateTask } from './validate.task';

const TASKS = [BackfillTask, CleanupTask, ReportTask, ValidateTask, UpdateMarketDataTask, RecoverStaleJobsTask];

/** The maintenance tasks, runnable on demand; the server's TaskScheduler puts them on their cron schedules. */
@Module({
  imports: [GapsModule, BackfillModule, ReportsModule, IngestionModule, JobRunsModule],
  providers: [
    ...TASKS,
    { provide: SCHEDULED_TASKS, inject: TASKS, useFactory: (...tasks: ScheduledTask[]) => tasks },
    TasksService,
    BackgroundJobsService,
  ],
  exports: [TasksService, BackgroundJobsService],
})
export class TasksModule {}
