import { once } from 'node:events';
import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseDate, parseInterval } from '../common/option-parsers';
import { UsageError } from '../common/errors';
import { IntervalMinutes } from '../common/enums';
import {
  CANDLE_CSV_COLUMNS,
  CANDLE_EXPORT_FORMATS,
  CandleExportFormat,
  CandlesExportService,
} from './candles-export.service';

interface CandlesOptions extends JsonOption {
  interval?: IntervalMinutes;
  from?: Date;
  to?: Date;
  format?: CandleExportFormat;
}

/** Writes to stdout, waiting for it to drain when its buffer is full. */
async function toStdout(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

@Command({
  name: 'candles',
  arguments: '<symbol>',
  description:
    `export the stored candles of a series (CSV columns: ${CANDLE_CSV_COLUMNS.join(',')}; ` +
    'time = open time, epoch seconds UTC)',
})
export class CandlesCommand extends CandlekeepCommand<CandlesOptions> {
  constructor(private readonly exporter: CandlesExportService) {
    super();
  }

  protected async execute(params: string[], o: CandlesOptions): Promise<CommandOutcome> {
    const [symbol] = params;
    if (!symbol)
      throw new UsageError('candles: a SYMBOL is required, e.g. candlekeep candles BTC-USD-SPOT --interval 60');
    if (o.interval === undefined) throw new UsageError('candles: --interval is required (minutes, e.g. 60)');
    if (o.json && o.format === 'csv')
      throw new UsageError('--json prints one JSON object: it does not go with --format csv');
    const format: CandleExportFormat = o.json ? 'json' : (o.format ?? 'csv');
    const summary = await this.exporter.export(
      { symbol, intervalMinutes: o.interval, from: o.from, to: o.to },
      format,
      toStdout,
    );
    return { ...this.ok(summary), streamed: true };
  }

  @Option({
    flags: '--interval <minutes>',
    description: 'interval in minutes (1, 5, 15, 30, 60, 240, 720, 1440, 10080, 21600)',
  })
  parseInterval(v: string): IntervalMinutes {
    return parseInterval(v);
  }

  @Option({ flags: '--from <date>', description: 'first candle open time, inclusive (ISO-8601 UTC or epoch seconds)' })
  parseFrom(v: string): Date {
    return parseDate(v, '--from');
  }

  @Option({ flags: '--to <date>', description: 'last candle open time, inclusive (ISO-8601 UTC or epoch seconds)' })
  parseTo(v: string): Date {
    return parseDate(v, '--to');
  }

  @Option({
    flags: '--format <format>',
    description: `${CANDLE_EXPORT_FORMATS.join(' or ')} (default csv; --json implies json)`,
  })
  parseFormat(v: string): CandleExportFormat {
    if (!(CANDLE_EXPORT_FORMATS as readonly string[]).includes(v))
      throw new UsageError(`--format: ${JSON.stringify(v)} is not one of ${CANDLE_EXPORT_FORMATS.join(', ')}`);
    return v as CandleExportFormat;
  }
}
