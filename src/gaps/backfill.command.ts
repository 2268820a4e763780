import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseIntervals, MAX_DAYS, parsePositiveInt, parseTier } from '../cli/option-parsers';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { EXIT_INTERRUPTED, interruptible } from '../common/interruption';
import { Tier } from '../entities/enums';
import { BackfillSummary, DEFAULT_LOOKBACK_DAYS, leftWorkUndone } from './backfill.service';
import { RecordedRunsService } from './recorded-runs.service';

interface BackfillCommandOptions extends JsonOption {
  tier?: Tier;
  intervals?: number[];
  lookbackDays?: number;
  incremental?: boolean;
  maxCalls?: number;
  retryFailed?: boolean;
}

/**
 * Exit 1 when a gap failed, stopped short, waits for its retry time (still failed) or belonged to a series
 * another process kept writing: the run left work undone, never silently.
 */
export function backfillExitCode(s: Pick<BackfillSummary, 'gaps_failed' | 'gaps_partial' | 'gaps_deferred' | 'series_skipped_locked' | 'interrupted'>): number {
  if (s.interrupted) return EXIT_INTERRUPTED[s.interrupted] ?? EXIT_INCOMPLETE;
  return leftWorkUndone(s) ? EXIT_INCOMPLETE : EXIT_OK;
}

function interruptedText(signal: string): string {
  return `interrupted by ${signal}: gaps in progress are PARTIAL with their cursor, the rest as detected; resume with: candlekeep backfill (the same flags)`;
}

export function backfillText(s: BackfillSummary): string {
  return [
    `series ${s.series_processed} (${s.assets_processed} assets${s.series_skipped_locked ? `, ${s.series_skipped_locked} held by another process` : ''})`,
    `gaps detected ${s.gaps_detected}${s.suspects ? ` (+${s.suspects} suspect)` : ''}: filled ${s.gaps_filled}, partial ${s.gaps_partial}, verified empty ${s.gaps_verified_empty}, unfillable ${s.gaps_unfillable}, failed ${s.gaps_failed}${s.gaps_deferred ? `, ${s.gaps_deferred} failed earlier waiting for their retry time (--retry-failed)` : ''}`,
    ...(s.series_skipped_archive_only ? [`${s.series_skipped_archive_only} series of archive-only assets not sent to the API`] : []),
    `candles filled ${s.total_candles_filled}, API calls ${s.api_calls}`,
    ...(s.interrupted ? [interruptedText(s.interrupted)] : []),
    ...(s.download_list.length ? ['download list:', ...s.download_list.map((d) => `  ${d.symbol} ${d.interval}m ${d.start_ts}..${d.end_ts}: ${d.archive_hint}`)] : []),
  ].join('\n');
}

@Command({ name: 'backfill', description: 'detect gaps and fill them from the Kraken API (OHLC window, trades beyond it)' })
export class BackfillCommand extends CandlekeepCommand<BackfillCommandOptions> {
  constructor(private readonly runs: RecordedRunsService) {
    super();
  }

  protected async execute(_params: string[], o: BackfillCommandOptions): Promise<CommandOutcome> {
    const summary = await interruptible(this.cliLogger, 'stopping the backfill after the request in hand', (signal) =>
      this.runs.backfill('cli', {
        tier: o.tier,
        intervals: o.intervals,
        lookbackDays: o.lookbackDays,
        incremental: o.incremental ?? false,
        maxCalls: o.maxCalls,
        retryFailed: o.retryFailed ?? false,
        signal,
      }),
    );
    if (summary.interrupted) this.cliLogger.warn(interruptedText(summary.interrupted)); // on stderr, --json or not
    return { exitCode: backfillExitCode(summary), result: summary, text: `job ${summary.job_id}\n${backfillText(summary)}` };
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier (TIER1..TIER4)' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--intervals <list>', description: 'intervals in minutes (default: 60,1440 plus every interval already held)' })
  parseIntervals(v: string): number[] {
    return parseIntervals(v);
  }

  @Option({
    flags: '--lookback-days <n>',
    description: `expected window of a series not held yet (default: what Kraken's OHLC window reaches), and how far back --incremental fills (default ${DEFAULT_LOOKBACK_DAYS})`,
  })
  parseLookback(v: string): number {
    return parsePositiveInt(v, '--lookback-days', { max: MAX_DAYS });
  }

  @Option({ flags: '--incremental', description: 'fill only the last --lookback-days (OHLC-fillable gaps whole); the ledger still covers every window' })
  parseIncremental(): boolean {
    return true;
  }

  @Option({ flags: '--retry-failed', description: 'retry FAILED gaps now instead of waiting for their retry time' })
  parseRetryFailed(): boolean {
    return true;
  }

  @Option({ flags: '--max-calls <n>', description: 'API call budget; stops cleanly with PARTIAL gaps when spent' })
  parseMaxCalls(v: string): number {
    return parsePositiveInt(v, '--max-calls', { allowZero: true });
  }
}
