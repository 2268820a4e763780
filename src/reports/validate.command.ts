import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { MAX_DAYS, parsePositiveInt, parseSymbols, SYMBOLS_FLAG_HELP } from '../common/option-parsers';
import { renderTable } from '../common/table';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { StalenessService } from './staleness.service';

interface ValidateOptions extends JsonOption {
  hours?: number;
  symbols?: string[];
}

@Command({ name: 'validate', description: 'staleness check: exit 1 when any series is more than N hours behind' })
export class ValidateCommand extends CandlekeepCommand<ValidateOptions> {
  constructor(private readonly staleness: StalenessService) {
    super();
  }

  protected async execute(_params: string[], o: ValidateOptions): Promise<CommandOutcome> {
    const result = await this.staleness.validate(o.hours, { logStale: false, symbols: o.symbols });
    const text = result.stale.length
      ? `${result.stale.length} of ${result.checked} series are stale (more than ${result.hours} h behind):\n` +
        renderTable(
          ['symbol', 'interval', 'last', 'hours behind'],
          result.stale.map((s) => [s.symbol, s.interval, s.last, s.hours_behind]),
        )
      : `all ${result.checked} series are current (within ${result.hours} h)`;
    return { exitCode: result.stale.length ? EXIT_INCOMPLETE : EXIT_OK, result, text };
  }

  @Option({ flags: '--symbols <list>', description: `only the series of these assets: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--hours <n>', description: 'staleness threshold in hours (default STALE_HOURS, 24)' })
  parseHours(v: string): number {
    return parsePositiveInt(v, '--hours', { max: MAX_DAYS * 24 });
  }
}
