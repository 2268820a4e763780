import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import {
  parseIntervals,
  MAX_DAYS,
  parsePositiveInt,
  parseRatio,
  parseSymbols,
  parseTier,
  SYMBOLS_FLAG_HELP,
} from '../common/option-parsers';
import { DEFAULT_LOOKBACK_DAYS } from '../backfill/backfill.service';
import { ingestOutcome, progressFor } from './ingest.presenter';
import { UnifiedIngestService } from './unified-ingest.service';
import { interruptible } from '../common/interruption';
import { UsageError } from '../common/errors';
import { IntervalMinutes, Tier } from '../common/enums';
import { DEFAULT_MAX_REJECT_RATIO } from '../ingestion/ingest.service';

interface IngestOptions extends JsonOption {
  csv?: string[];
  tier?: Tier;
  symbols?: string[];
  intervals?: IntervalMinutes[];
  api?: boolean;
  maxRejectRatio?: number;
  incremental?: boolean;
  lookbackDays?: number;
  maxCalls?: number;
  downloadList?: string;
}

@Command({
  name: 'ingest',
  description:
    'ingest Kraken OHLCVT archives (CSV files, ZIPs, directories) into the candle store, ledgered and resumable',
})
export class IngestCommand extends CandlekeepCommand<IngestOptions> {
  constructor(private readonly unified: UnifiedIngestService) {
    super();
  }

  protected async execute(_params: string[], options: IngestOptions): Promise<CommandOutcome> {
    if (!options.csv?.length)
      throw new UsageError('--csv PATH is required (a .csv file, a .zip or a directory; repeatable)');
    const result = await interruptible(
      this.cliLogger,
      'stopping the ingest: the file in hand is rolled back, no API request follows the one in hand',
      (signal) =>
        this.unified.run(
          {
            paths: options.csv!,
            tier: options.tier,
            symbols: options.symbols,
            intervals: options.intervals,
            maxRejectRatio: options.maxRejectRatio ?? DEFAULT_MAX_REJECT_RATIO,
            signal,
          },
          {
            noApi: options.api === false,
            incremental: options.incremental ?? false,
            lookbackDays: options.lookbackDays,
            maxCalls: options.maxCalls,
            downloadListFile: options.downloadList,
          },
          progressFor(),
        ),
    );
    const outcome = ingestOutcome(result);
    if (result.interrupted) this.cliLogger.warn(outcome.text!.split('\n').pop()!); // the resume line, on stderr too
    return outcome;
  }

  @Option({
    flags: '--csv <path>',
    description: 'a .csv file, a .zip or a directory (searched recursively); repeatable',
  })
  parseCsv(value: string, previous?: string[]): string[] {
    return [...(previous ?? []), value];
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier (TIER1..TIER4 or 1..4)' })
  parseTier(value: string): Tier {
    return parseTier(value);
  }

  @Option({ flags: '--symbols <list>', description: `only the files of these assets: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--intervals <list>', description: 'only these intervals in minutes, e.g. 60,1440' })
  parseIntervals(value: string): IntervalMinutes[] {
    return parseIntervals(value);
  }

  @Option({
    flags: '--no-api',
    description: 'stop after gap detection: no API backfill (archive-only gaps still go to the download list)',
  })
  parseNoApi(): boolean {
    return false;
  }

  @Option({
    flags: '--incremental',
    description:
      'backfill only the last --lookback-days (OHLC-fillable gaps whole); the ledger still covers every window',
  })
  parseIncremental(): boolean {
    return true;
  }

  @Option({
    flags: '--lookback-days <n>',
    description: `how far back --incremental backfills (default ${DEFAULT_LOOKBACK_DAYS})`,
  })
  parseLookback(value: string): number {
    return parsePositiveInt(value, '--lookback-days', { max: MAX_DAYS });
  }

  @Option({ flags: '--max-calls <n>', description: 'API call budget of the backfill half' })
  parseMaxCalls(value: string): number {
    return parsePositiveInt(value, '--max-calls', { allowZero: true });
  }

  @Option({ flags: '--download-list <file>', description: 'also write the archive download list as CSV' })
  parseDownloadList(value: string): string {
    return value;
  }

  @Option({
    flags: '--max-reject-ratio <ratio>',
    description:
      `a file with a larger share of rejected rows fails ` +
      `and keeps none of its rows (default ${DEFAULT_MAX_REJECT_RATIO})`,
  })
  parseMaxRejectRatio(value: string): number {
    return parseRatio(value, '--max-reject-ratio');
  }
}
