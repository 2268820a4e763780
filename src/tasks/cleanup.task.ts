import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CleanupService } from '../gaps/retention.service';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class CleanupTask implements ScheduledTask {
  readonly name = 'cleanup-old-gap-records';
  readonly kind = 'cleanup';
  readonly description = 'delete resolved gap records (FILLED, VERIFIED_EMPTY, IGNORED) older than CLEANUP_DAYS';

  constructor(
    private readonly cleanup: CleanupService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.schedules.cleanup;
  }

  run(): Promise<{ deleted: number; before: string }> {
    return this.cleanup.cleanup(this.config.gaps.cleanupDays);
  }
}
