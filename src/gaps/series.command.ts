import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseInterval } from '../cli/option-parsers';
import { renderTable } from '../cli/table';
import { UsageError } from '../common/errors';
import { IntervalMinutes } from '../entities/enums';
import { SeriesService } from './series.service';

interface SeriesOptions extends JsonOption {
  interval?: IntervalMinutes;
  deleteCandles?: boolean;
}

@Command({
  name: 'series',
  arguments: '[action] [symbol]',
  description: 'expected series: list [SYMBOL] | drop SYMBOL --interval I [--delete-candles] (stop expecting it)',
})
export class SeriesCommand extends CandlekeepCommand<SeriesOptions> {
  constructor(private readonly series: SeriesService) {
    super();
  }

  protected async execute(params: string[], o: SeriesOptions): Promise<CommandOutcome> {
    const [action = 'list', symbol, ...extra] = params;
    if (extra.length) throw new UsageError(`series ${action}: unexpected arguments ${extra.join(' ')}`);
    if (action === 'list') {
      if (o.deleteCandles) throw new UsageError('--delete-candles goes with `series drop`');
      const list = await this.series.list(symbol ? [symbol] : undefined);
      const shown = o.interval ? list.filter((s) => s.interval === o.interval) : list;
      const text = shown.length
        ? renderTable(
            ['symbol', 'interval', 'expected from', 'first', 'last', 'candles', 'ranges'],
            shown.map((s) => [s.symbol, s.interval, s.expected_from, s.first, s.last, s.candles, s.coverage_ranges]),
          )
        : 'no series';
      return this.ok({ total: shown.length, series: shown }, text);
    }
    if (action !== 'drop') throw new UsageError(`series: unknown action ${JSON.stringify(action)}; use list, drop`);
    if (!symbol) throw new UsageError('series drop: a SYMBOL is required');
    if (o.interval === undefined) throw new UsageError('series drop: --interval is required');
    const result = await this.series.drop(symbol, o.interval, o.deleteCandles ?? false);
    return this.ok(
      result,
      `${result.symbol} ${result.interval}m dropped: ${result.coverage_ranges_deleted} coverage range(s), ${result.gap_records_deleted} gap record(s)` +
        `${result.candles_deleted === null ? ' (candles kept)' : `, ${result.candles_deleted} candle(s)`}`,
    );
  }

  @Option({ flags: '--interval <minutes>', description: 'the series interval in minutes' })
  parseInterval(v: string): IntervalMinutes {
    return parseInterval(v);
  }

  @Option({ flags: '--delete-candles', description: 'drop: delete the stored candles too' })
  parseDeleteCandles(): boolean {
    return true;
  }
}
