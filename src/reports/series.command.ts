import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import {
  ListFormat,
  LIST_FORMATS,
  parseInterval,
  parseIntervals,
  parseListFormat,
  parsePositiveInt,
  parseSymbols,
  SYMBOLS_FLAG_HELP,
} from '../common/option-parsers';
import { renderTable } from '../common/table';
import { renderCsvRows } from '../common/csv';
import { UsageError } from '../common/errors';
import { IntervalMinutes } from '../common/enums';
import {
  AGGREGATION_WINDOWS,
  AggregationWindow,
  parseAggregationWindow,
  parseWeekStart,
  WeekStart,
} from '../common/aggregation-window';
import { SeriesService } from '../coverage/series.service';
import { BucketView, FILL_MODES, FillMode } from '../timeseries/bucket-completeness';
import { parseFill, parseInstant } from '../timeseries/timeseries-input';
import { MAX_LIMIT, TimeseriesQuery, TimeseriesResult, TimeseriesService } from '../timeseries/timeseries.service';
import { SeriesOverview, SeriesOverviewService } from './series-overview.service';

/** list and drop's flags, and the aggregation query's (`series SYMBOL`). */
interface SeriesOptions extends JsonOption, Partial<Omit<TimeseriesQuery, 'symbol'>> {
  interval?: IntervalMinutes;
  intervals?: IntervalMinutes[];
  symbols?: string[];
  format?: ListFormat;
  deleteCandles?: boolean;
}

const BUCKET_COLUMNS = [
  'ts',
  'time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'trades',
  'vwap',
  'candles',
  'complete',
  'closed',
] as const;
/** A bucket's cells; a placeholder (fill=null) has no prices: empty cells. */
const bucketCells = (b: BucketView): Array<string | number | null> =>
  BUCKET_COLUMNS.map((c) => {
    const v = (b as Partial<Record<(typeof BUCKET_COLUMNS)[number], string | number | boolean | null>>)[c];
    return v === undefined ? null : typeof v === 'boolean' ? String(v) : v;
  });

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
    'drop SYMBOL --interval I [--delete-candles] (stop expecting it) | ' +
    'SYMBOL [--window 1d] [--from] [--to] [--week-start] [--fill none|prev|null] [--limit] [--cursor]: ' +
    'candles aggregated into UTC buckets (default window 1d), each saying whether coverage proves it complete',
})
export class SeriesCommand extends CandlekeepCommand<SeriesOptions> {
  constructor(
    private readonly series: SeriesService,
    private readonly overview: SeriesOverviewService,
    private readonly timeseries: TimeseriesService,
  ) {
    super();
  }

  protected async execute(params: string[], o: SeriesOptions): Promise<CommandOutcome> {
    const [action = 'list', symbol, ...extra] = params;
    if (extra.length) throw new UsageError(`series ${action}: unexpected arguments ${extra.join(' ')}`);
    const queryFlags = (['window', 'weekStart', 'from', 'to', 'fill', 'limit', 'cursor'] as const).filter(
      (k) => o[k] !== undefined,
    );
    if (action !== 'list' && action !== 'drop') {
      if (symbol) throw new UsageError(`series ${action}: unexpected argument ${symbol}`);
      if (o.interval || o.intervals || o.symbols || o.deleteCandles)
        throw new UsageError(
          'series SYMBOL: --interval, --intervals, --symbols and --delete-candles go with list, drop',
        );
      return this.query(action, o);
    }
    if (queryFlags.length)
      throw new UsageError(`series ${action}: --${queryFlags.join(', --')} go with \`series SYMBOL\``);
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

  private async query(symbol: string, o: SeriesOptions): Promise<CommandOutcome> {
    const result = await this.timeseries.query({
      symbol,
      window: o.window ?? '1d',
      weekStart: o.weekStart,
      from: o.from,
      to: o.to,
      fill: o.fill,
      limit: o.limit,
      cursor: o.cursor,
    });
    const format = o.format ?? (o.json ? 'json' : 'table');
    if (format === 'json') return this.ok(result);
    const rows = result.data.map(bucketCells);
    if (format === 'csv') return this.ok(result, renderCsvRows(BUCKET_COLUMNS, rows).replace(/\n$/, ''));
    return this.ok(
      result,
      `${queryHeadline(result)}\n${rows.length ? renderTable(BUCKET_COLUMNS, rows) : 'no buckets'}`,
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
    description: `list, SYMBOL: output format, ${LIST_FORMATS.join(', ')} (default table)`,
  })
  parseFormat(v: string): ListFormat {
    return parseListFormat(v);
  }

  @Option({ flags: '--delete-candles', description: 'drop: delete the stored candles too' })
  parseDeleteCandles(): boolean {
    return true;
  }

  @Option({ flags: '--window <window>', description: `SYMBOL: bucket, ${AGGREGATION_WINDOWS.join(', ')} (default 1d)` })
  parseWindow(v: string): AggregationWindow {
    return parseAggregationWindow(v);
  }

  @Option({ flags: '--week-start <day>', description: 'SYMBOL: 1w buckets start monday (default) or thursday' })
  parseWeekStart(v: string): WeekStart {
    return parseWeekStart(v);
  }

  @Option({
    flags: '--from <date>',
    description: 'SYMBOL: first bucket open time, inclusive (ISO-8601 UTC or epoch seconds; default the first held)',
  })
  parseFrom(v: string): number {
    return parseInstant(v, '--from');
  }

  @Option({ flags: '--to <date>', description: 'SYMBOL: last bucket open time, inclusive (default now)' })
  parseTo(v: string): number {
    return parseInstant(v, '--to');
  }

  @Option({
    flags: '--fill <mode>',
    description:
      `SYMBOL: empty buckets, ${FILL_MODES.join('|')}: omitted (default), a flat candle at the previous close ` +
      'where coverage proves no trades, or a placeholder',
  })
  parseFill(v: string): FillMode {
    return parseFill(v);
  }

  @Option({ flags: '--limit <n>', description: `SYMBOL: at most this many buckets (default 1000, max ${MAX_LIMIT})` })
  parseLimit(v: string): number {
    return parsePositiveInt(v, '--limit', { max: MAX_LIMIT });
  }

  @Option({ flags: '--cursor <cursor>', description: 'SYMBOL: the next_cursor of the previous page' })
  parseCursor(v: string): string {
    return v;
  }
}

function queryHeadline(r: TimeseriesResult): string {
  const pct = r.coverage.expected_seconds
    ? ` (${Math.floor((r.coverage.covered_seconds / r.coverage.expected_seconds) * 1000) / 10}% covered)`
    : '';
  return (
    `${r.symbol} ${r.aggregation_window}${r.week_start ? ` (${r.week_start} weeks)` : ''} from ` +
    `${r.source_interval_minutes}m candles, ${r.start_time} .. ${r.end_time}: ${r.count} bucket(s)${pct}, ` +
    `${r.coverage.open_gaps} open gap(s)${r.next_cursor ? `; next page: --cursor ${r.next_cursor}` : ''}`
  );
}
