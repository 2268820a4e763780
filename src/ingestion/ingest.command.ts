import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseIntervals, MAX_DAYS, parsePositiveInt, parseRatio, parseSymbols, parseTier, SYMBOLS_FLAG_HELP } from '../cli/option-parsers';
import { backfillExitCode, backfillText } from '../gaps/backfill.command';
import { DEFAULT_LOOKBACK_DAYS } from '../gaps/backfill.service';
import { UnifiedIngestResult, UnifiedIngestService } from './unified-ingest.service';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { EXIT_INTERRUPTED, interruptible } from '../common/interruption';
import { UsageError } from '../common/errors';
import { IntervalMinutes, Tier } from '../entities/enums';
import { IngestProgress, LogIngestProgress, TtyIngestProgress } from './ingest-progress';
import { DEFAULT_MAX_REJECT_RATIO, IngestResult } from './ingest.service';

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

/** A TTY gets a progress bar on stderr, anything else a log line every few seconds. */
export function progressFor(): IngestProgress {
  return process.stderr.isTTY ? new TtyIngestProgress() : new LogIngestProgress();
}

/** Exit 1 when any row was rejected, any file failed, the job did not finish or a gap fill failed or stopped short. */
export function ingestOutcome(result: IngestResult | UnifiedIngestResult): CommandOutcome {
  const backfill = 'gaps_detected' in result ? result : undefined;
  const clean =
    result.rows_rejected === 0 &&
    result.files_failed === 0 &&
    result.status === 'COMPLETED' &&
    (backfill === undefined || backfillExitCode(backfill) === EXIT_OK);
  const lines = [
    `job ${result.job_id}: ${result.status}`,
    `files: ${result.files_total} total, ${result.files_ingested} ingested, ${result.files_skipped} skipped (already ingested), ${result.files_failed} failed`,
    `rows: ${result.rows_read} read, ${result.rows_ingested} ingested, ${result.rows_rejected} rejected`,
    ...result.series.map((s) => `  ${s.symbol} ${s.interval}m: ${s.candles} candles ${s.first_ts ?? '-'} .. ${s.last_ts ?? '-'}`),
    ...(result.unrecognized.length ? [`unrecognized names (not ingested):`, ...result.unrecognized.map((u) => `  ${u}`)] : []),
    ...(result.skipped.length ? [`skipped:`, ...result.skipped.map((s) => `  ${s.path}: ${s.reason}`)] : []),
    ...(result.headers_skipped.length ? result.headers_skipped.map((f) => `${f}: header: skipped`) : []),
    ...(result.reject_summary.length
      ? [
          'rejected rows:',
          ...result.reject_summary.map(
            (r) => `  ${r.file}: ${r.reason} ×${r.count} (line${r.count > 1 ? 's' : ''} ${r.first_lines.join(', ')}${r.count > r.first_lines.length ? ', …' : ''}${r.first_time ? `; first ${r.first_time}` : ''})`,
          ),
          ...result.rejects.filter((r) => r.line === 0).map((r) => `  ${r.file}: ${r.reason}`),
        ]
      : []),
    ...(backfill
      ? [
          backfillText({ ...backfill, interrupted: null }), // an interruption is said once, below
          `series complete: ${backfill.completeness.complete_series} of ${backfill.completeness.series}; intervals covered: ${backfill.completeness.completeness_pct}% ` +
            `(${backfill.completeness.missing_intervals} missing, ${backfill.completeness.open_gaps} open gap(s), ${backfill.completeness.suspect_gaps} suspect)`,
        ]
      : []),
  ];
  if (result.interrupted) {
    const resume = 'resume' in result ? result.resume : `candlekeep jobs resume ${result.job_id}`;
    lines.push(`interrupted by ${result.interrupted}; resume with: ${resume}`);
    return { exitCode: EXIT_INTERRUPTED[result.interrupted] ?? EXIT_INCOMPLETE, result, text: lines.join('\n') };
  }
  return { exitCode: clean ? EXIT_OK : EXIT_INCOMPLETE, result, text: lines.join('\n') };
}

@Command({
  name: 'ingest',
  description: 'ingest Kraken OHLCVT archives (CSV files, ZIPs, directories) into the candle store, ledgered and resumable',
})
export class IngestCommand extends CandlekeepCommand<IngestOptions> {
  constructor(private readonly unified: UnifiedIngestService) {
    super();
  }

  protected async execute(_params: string[], options: IngestOptions): Promise<CommandOutcome> {
    if (!options.csv?.length) throw new UsageError('--csv PATH is required (a .csv file, a .zip or a directory; repeatable)');
    const result = await interruptible(this.cliLogger, 'stopping the ingest: the file in hand is rolled back, no API request follows the one in hand', (signal) =>
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

  @Option({ flags: '--csv <path>', description: 'a .csv file, a .zip or a directory (searched recursively); repeatable' })
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

  @Option({ flags: '--no-api', description: 'stop after gap detection: no API backfill (archive-only gaps still go to the download list)' })
  parseNoApi(): boolean {
    return false;
  }

  @Option({ flags: '--incremental', description: 'backfill only the last --lookback-days (OHLC-fillable gaps whole); the ledger still covers every window' })
  parseIncremental(): boolean {
    return true;
  }

  @Option({ flags: '--lookback-days <n>', description: `how far back --incremental backfills (default ${DEFAULT_LOOKBACK_DAYS})` })
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
    description: `a file with a larger share of rejected rows fails and keeps none of its rows (default ${DEFAULT_MAX_REJECT_RATIO})`,
  })
  parseMaxRejectRatio(value: string): number {
    return parseRatio(value, '--max-reject-ratio');
  }
}
