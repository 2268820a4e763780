import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StalenessService, ValidationResult } from '../reports/staleness.service';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class ValidateTask implements ScheduledTask {
  readonly name = 'validate-recent-data';
  readonly kind = 'validate';
  readonly description = 'warn (and post to ALERT_WEBHOOK_URL) about series more than STALE_HOURS behind';

  constructor(
    private readonly staleness: StalenessService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.schedules.validate;
  }

  run(): Promise<ValidationResult> {
    return this.staleness.validate(this.config.reports.staleHours);
  }
}
