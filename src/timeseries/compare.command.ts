import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { LIST_FORMATS, ListFormat, parseListFormat } from '../common/option-parsers';
import {
  AGGREGATION_WINDOWS,
  AggregationWindow,
  parseAggregationWindow,
  parseWeekStart,
  WeekStart,
} from '../common/aggregation-window';
import { renderCsvRows } from '../common/csv';
import { renderTable } from '../common/table';
import { isoOfSeconds } from '../common/time';
import { COMPARE_ALIGNS, COMPARE_FIELDS, CompareAlign, CompareField } from './compare-alignment';
import { parseChoice, parseInstant } from './timeseries-input';
import { TimeseriesService } from './timeseries.service';

interface CompareOptions extends JsonOption {
  field?: CompareField;
  normalize?: boolean;
  align?: CompareAlign;
  window?: AggregationWindow;
  weekStart?: WeekStart;
  from?: number;
  to?: number;
  format?: ListFormat;
}

@Command({
  name: 'compare',
  arguments: '<symbols...>',
  description:
    'one field of 2 to 10 symbols on one time axis (default --field close --window 1d --align intersection); ' +
    '--normalize: percent change from each value at the first common bucket (base_ts)',
})
export class CompareCommand extends CandlekeepCommand<CompareOptions> {
  constructor(private readonly timeseries: TimeseriesService) {
    super();
  }

  protected async execute(params: string[], o: CompareOptions): Promise<CommandOutcome> {
    const result = await this.timeseries.compare({
      symbols: params,
      field: o.field ?? 'close',
      normalize: o.normalize ?? false,
      align: o.align ?? 'intersection',
      window: o.window ?? '1d',
      weekStart: o.weekStart,
      from: o.from,
      to: o.to,
    });
    const format = o.format ?? (o.json ? 'json' : 'table');
    if (format === 'json') return this.ok(result);
    const rows = result.t.map((ts, i) => [isoOfSeconds(ts), ...result.series.map((s) => s.values[i] ?? null)]);
    const headers = ['time', ...result.series.map((s) => s.symbol)];
    const text =
      format === 'csv'
        ? renderCsvRows(headers, rows).replace(/\n$/, '')
        : `${result.field}${result.normalize ? ` (% from ${isoOfSeconds(result.base_ts!)})` : ''}, ` +
          `${result.aggregation_window} buckets, ${result.align}\n${rows.length ? renderTable(headers, rows) : 'no buckets'}`;
    return this.ok(result, text);
  }

  @Option({ flags: '--field <field>', description: `${COMPARE_FIELDS.join(', ')} (default close)` })
  parseField(v: string): CompareField {
    return parseChoice(v, COMPARE_FIELDS, '--field');
  }

  @Option({ flags: '--normalize', description: 'percent change from each symbol’s value at the first common bucket' })
  parseNormalize(): boolean {
    return true;
  }

  @Option({
    flags: '--align <align>',
    description: 'intersection (buckets every symbol has, default) or union (null where one has none)',
  })
  parseAlign(v: string): CompareAlign {
    return parseChoice(v, COMPARE_ALIGNS, '--align');
  }

  @Option({ flags: '--window <window>', description: `bucket: ${AGGREGATION_WINDOWS.join(', ')} (default 1d, UTC)` })
  parseWindow(v: string): AggregationWindow {
    return parseAggregationWindow(v);
  }

  @Option({ flags: '--week-start <day>', description: '1w buckets: monday (default) or thursday (Kraken weeks)' })
  parseWeekStart(v: string): WeekStart {
    return parseWeekStart(v);
  }

  @Option({ flags: '--from <date>', description: 'first bucket open time, inclusive (ISO-8601 UTC or epoch seconds)' })
  parseFrom(v: string): number {
    return parseInstant(v, '--from');
  }

  @Option({ flags: '--to <date>', description: 'last bucket open time, inclusive (default now)' })
  parseTo(v: string): number {
    return parseInstant(v, '--to');
  }

  @Option({ flags: '--format <format>', description: `${LIST_FORMATS.join(', ')} (default table)` })
  parseFormat(v: string): ListFormat {
    return parseListFormat(v);
  }
}
