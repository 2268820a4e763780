import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GapRecoveryService } from '../gaps/gap-recovery.service';
import { IngestService } from '../ingestion/ingest.service';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class RecoverStaleJobsTask implements ScheduledTask {
  readonly name = 'recover-stale-jobs';
  readonly kind = 'recover-stale-jobs';
  readonly description = 'RUNNING jobs without heartbeat → PARTIAL (resumable); gaps stuck FILLING → DETECTED';

  constructor(
    private readonly ingest: IngestService,
    private readonly gapRecovery: GapRecoveryService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.schedules.recoverStaleJobs;
  }

  async run(): Promise<{ jobs_recovered: number; gaps_released: number }> {
    const jobs = await this.ingest.abandonStaleJobs(this.config.jobs.staleMinutes * 60_000);
    const gaps = await this.gapRecovery.releaseStuckFilling();
    return { jobs_recovered: jobs, gaps_released: gaps };
  }
}
