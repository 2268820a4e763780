import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MarketDataUpdateResult, MarketDataUpdateService } from '../backfill/market-data-update.service';
import { updateOutcome } from '../backfill/recorded-runs.service';
import { JobRunOutcome } from '../jobs/job-run-recorder';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class UpdateMarketDataTask implements ScheduledTask<MarketDataUpdateResult> {
  readonly name = 'update-market-data';
  readonly kind = 'update-market-data';
  readonly description = 'bring every active series of UPDATE_CATEGORIES up to the last closed candle';
  private readonly logger = new Logger(UpdateMarketDataTask.name);

  constructor(
    private readonly updater: MarketDataUpdateService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.schedules.updateMarketData;
  }

  run(): Promise<MarketDataUpdateResult> {
    return this.updater.update({ categories: this.config.backfill.updateCategories, force: false }, (p) =>
      this.logger.log(`progress ${JSON.stringify(p)}`),
    );
  }

  outcome(result: MarketDataUpdateResult): JobRunOutcome {
    return updateOutcome(result);
  }
}
