import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { MAX_DAYS, parsePositiveInt } from '../common/option-parsers';
import { AppConfig } from '../config/app-config';
import { CleanupService } from './retention.service';

interface CleanupOptions extends JsonOption {
  days?: number;
}

@Command({ name: 'cleanup', description: 'delete resolved gap records older than N days' })
export class CleanupCommand extends CandlekeepCommand<CleanupOptions> {
  constructor(
    private readonly cleanupService: CleanupService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  protected async execute(_params: string[], o: CleanupOptions): Promise<CommandOutcome> {
    const result = await this.cleanupService.cleanup(o.days ?? this.config.gaps.cleanupDays);
    return this.ok(result, `deleted ${result.deleted} resolved gap record(s) resolved before ${result.before}`);
  }

  @Option({ flags: '--days <n>', description: 'age in days (default CLEANUP_DAYS, 90)' })
  parseDays(v: string): number {
    return parsePositiveInt(v, '--days', { allowZero: true, max: MAX_DAYS });
  }
}
