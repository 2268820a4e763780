import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Tier } from '../entities/enums';
import { BackfillService, BackfillSummary } from '../gaps/backfill.service';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class BackfillTask implements ScheduledTask {
  readonly name = 'backfill-gaps-incremental';
  readonly description = 'incremental gap detection and backfill for the configured tier/interval sets';
  private readonly logger = new Logger(BackfillTask.name);

  constructor(
    private readonly backfill: BackfillService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.cronBackfill;
  }

  async run(): Promise<{ sets: Array<{ tier: string; intervals: number[]; result: BackfillSummary }> }> {
    const sets = [];
    for (const set of this.config.backfillSets) {
      const result = await this.backfill.run({
        tier: set.tier as Tier,
        intervals: set.intervals,
        lookbackDays: this.config.backfillLookbackDays,
        incremental: true,
        newSeries: true, // a scheduled set names its series: every asset of the tier at its intervals
      });
      this.logger.log(
        `${set.tier} ${set.intervals.join(',')}: ${result.gaps_detected} gap(s), ${result.gaps_filled} filled, ${result.gaps_failed} failed, ${result.api_calls} call(s)`,
      );
      sets.push({ ...set, result });
    }
    return { sets };
  }
}
