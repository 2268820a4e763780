import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, BackfillSet } from '../config/app-config';
import { BackfillService, BackfillSummary } from '../backfill/backfill.service';
import { backfillOutcome } from '../backfill/recorded-runs.service';
import { JobRunOutcome } from '../jobs/job-run-recorder';
import { ScheduledTask } from './scheduled-task';

export interface BackfillSetsResult {
  sets: Array<BackfillSet & { result: BackfillSummary }>;
}

/** One job for the whole run, its counts summed over the sets (each set's BackfillService run records none). */
@Injectable()
export class BackfillTask implements ScheduledTask<BackfillSetsResult> {
  readonly name = 'backfill-gaps-incremental';
  readonly kind = 'backfill';
  readonly description = 'incremental gap detection and backfill for the configured tier/interval sets';
  private readonly logger = new Logger(BackfillTask.name);

  constructor(
    private readonly backfill: BackfillService,
    private readonly config: AppConfig,
  ) {}

  cron(): string {
    return this.config.schedules.backfill;
  }

  async run(signal: AbortSignal): Promise<BackfillSetsResult> {
    const sets = [];
    for (const set of this.config.schedules.backfillSets) {
      if (signal.aborted) break; // cancelled: the sets not begun are not started
      const result = await this.backfill.run({
        tier: set.tier,
        intervals: set.intervals,
        lookbackDays: this.config.schedules.backfillLookbackDays,
        incremental: true,
        newSeries: true, // a scheduled set names its series: every asset of the tier at its intervals
        signal,
      });
      this.logger.log(
        `${set.tier} ${set.intervals.join(',')}: ${result.gaps_detected} gap(s), ${result.gaps_filled} filled, ` +
          `${result.gaps_failed} failed, ${result.api_calls} call(s)`,
      );
      sets.push({ ...set, result });
    }
    return { sets };
  }

  outcome(result: BackfillSetsResult): JobRunOutcome {
    return backfillOutcome(...result.sets.map((s) => s.result));
  }
}
