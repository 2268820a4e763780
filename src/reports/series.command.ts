import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import {
  ListFormat,
  LIST_FORMATS,
  parseInterval,
  parseIntervals,
  parseListFormat,
  parseSymbols,
  SYMBOLS_FLAG_HELP,
} from '../common/option-parsers';
import { renderTable } from '../common/table';
import { renderCsvRows } from '../common/csv';
import { UsageError } from '../common/errors';
import { IntervalMinutes } from '../common/enums';
import { SeriesService } from '../coverage/series.service';
import { SeriesOverview, SeriesOverviewService } from './series-overview.service';

interface SeriesOptions extends JsonOption {
  interval?: IntervalMinutes;
  intervals?: IntervalMinutes[];
  symbols?: string[];
  format?: ListFormat;
  deleteCandles?: boolean;
}

const COLUMNS = [
  'symbol',
  'interval',
  'expected_from',
  'first',
  'last',
  'candles',
  'expected_candles',
  'no_trade_candles',
  'missing_candles',
  'coverage_pct',
  'open_gaps',
  'suspect_gaps',
  'sources',
] as const satisfies ReadonlyArray<keyof SeriesOverview>;
const cells = (s: SeriesOverview) => COLUMNS.map((c) => (c === 'sources' ? s.sources.join(' ') : s[c]));

@Command({
  name: 'series',
  arguments: '[action] [symbol]',
  description:
    'expected series: list [SYMBOL] [--symbols A,B] [--intervals …] [--format table|json|csv] | ' +
    'drop SYMBOL --interval I [--delete-candles] (stop expecting it)',
})
export class SeriesCommand extends CandlekeepCommand<SeriesOptions> {
  constructor(
    private readonly series: SeriesService,
    private readonly overview: SeriesOverviewService,
  ) {
    super();
  }

  protected async execute(params: string[], o: SeriesOptions): Promise<CommandOutcome> {
    const [action = 'list', symbol, ...extra] = params;
    if (extra.length) throw new UsageError(`series ${action}: unexpected arguments ${extra.join(' ')}`);
    if (action === 'list') {
      if (o.deleteCandles) throw new UsageError('--delete-candles goes with `series drop`');
      const symbols = [...(symbol ? [symbol] : []), ...(o.symbols ?? [])];
      const intervals = [...(o.interval ? [o.interval] : []), ...(o.intervals ?? [])];
      const shown = await this.overview.list({ symbols: symbols.length ? symbols : undefined, intervals });
      const format = o.format ?? (o.json ? 'json' : 'table');
      const text =
        format === 'csv'
          ? renderCsvRows(COLUMNS, shown.map(cells)).replace(/\n$/, '')
          : shown.length
            ? renderTable(
                [
                  'symbol',
                  'interval',
                  'expected from',
                  'first',
                  'last',
                  'candles',
                  'expected',
                  'no-trade',
                  'missing',
                  'coverage %',
                  'open gaps',
                  'suspects',
                  'sources',
                ],
                shown.map(cells),
              )
            : 'no series';
      return this.ok({ total: shown.length, series: shown }, format === 'json' ? undefined : text);
    }
    if (action !== 'drop') throw new UsageError(`series: unknown action ${JSON.stringify(action)}; use list, drop`);
    if (!symbol) throw new UsageError('series drop: a SYMBOL is required');
    if (o.interval === undefined) throw new UsageError('series drop: --interval is required');
    const result = await this.series.drop(symbol, o.interval, o.deleteCandles ?? false);
    return this.ok(
      result,
      `${result.symbol} ${result.interval}m dropped: ${result.coverage_ranges_deleted} coverage range(s), ` +
        `${result.gap_records_deleted} gap record(s)` +
        `${result.candles_deleted === null ? ' (candles kept)' : `, ${result.candles_deleted} candle(s)`}`,
    );
  }

  @Option({ flags: '--interval <minutes>', description: 'the series interval in minutes' })
  parseInterval(v: string): IntervalMinutes {
    return parseInterval(v);
  }

  @Option({ flags: '--symbols <list>', description: `list: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--intervals <list>', description: 'list: comma-separated intervals (minutes or 1h, 1d, …)' })
  parseIntervals(v: string): IntervalMinutes[] {
    return parseIntervals(v);
  }

  @Option({
    flags: '--format <format>',
    description: `list: output format, ${LIST_FORMATS.join(', ')} (default table)`,
  })
  parseFormat(v: string): ListFormat {
    return parseListFormat(v);
  }

  @Option({ flags: '--delete-candles', description: 'drop: delete the stored candles too' })
  parseDeleteCandles(): boolean {
    return true;
  }
}
