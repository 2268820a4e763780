import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { MAX_DAYS, parseDate, parseIntervals, parsePositiveInt, parseSymbols, parseTier, SYMBOLS_FLAG_HELP } from '../cli/option-parsers';
import { UsageError } from '../common/errors';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { EXIT_INTERRUPTED, interruptible } from '../common/interruption';
import { Tier } from '../entities/enums';
import { renderTable } from '../cli/table';
import { formatDuration } from '../common/progress-format';
import { backfillProgressFor } from './backfill-progress';
import { BackfillOptions, BackfillPlan, BackfillService, BackfillSummary, DEFAULT_LOOKBACK_DAYS, leftWorkUndone } from './backfill.service';
import { RecordedRunsService } from './recorded-runs.service';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

interface BackfillCommandOptions extends JsonOption {
  tier?: Tier;
  intervals?: number[];
  symbols?: string[];
  lookbackDays?: number;
  incremental?: boolean;
  maxCalls?: number;
  retryFailed?: boolean;
  from?: Date;
  to?: Date;
  dryRun?: boolean;
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
  if (s.series_processed === 0 && !s.interrupted) {
    return 'no held series selected (backfill fills the series held): ingest archives first (candlekeep ingest --csv PATH), or name the series to start: candlekeep backfill --symbols BTC-USD --intervals 60,1440';
  }
  return [
    `series ${s.series_processed} (${s.assets_processed} assets${s.series_skipped_locked ? `, ${s.series_skipped_locked} held by another process` : ''})`,
    `gaps detected ${s.gaps_detected}${s.suspects ? ` (+${s.suspects} suspect)` : ''}: filled ${s.gaps_filled}, partial ${s.gaps_partial}, verified empty ${s.gaps_verified_empty}, unfillable ${s.gaps_unfillable}, failed ${s.gaps_failed}${s.gaps_deferred ? `, ${s.gaps_deferred} failed earlier waiting for their retry time (--retry-failed)` : ''}`,
    ...(s.series_skipped_archive_only ? [`${s.series_skipped_archive_only} series of archive-only assets not sent to the API`] : []),
    `candles filled ${s.total_candles_filled}, API calls ${s.api_calls}`,
    ...(s.interrupted ? [interruptedText(s.interrupted)] : []),
    ...(s.download_list.length ? ['download list:', ...s.download_list.map((d) => `  ${d.symbol} ${d.interval}m ${d.start_ts}..${d.end_ts}: ${d.archive_hint}`)] : []),
  ].join('\n');
}

const requestsText = (n: number | null, estimated: boolean) => (n === null ? '?' : `${estimated ? '~' : ''}${n.toLocaleString('en-US')}`);

/** The dry run as a table: per series, then the total and what the trades figures are based on. */
export function planText(plan: BackfillPlan): string {
  const t = plan.totals;
  const rps = `KRAKEN_RPS=${plan.kraken_rps}`;
  if (plan.series.length === 0) return `dry run: ${t.series_selected} series selected, no open gap: nothing to call`;
  return [
    'dry run: nothing called, nothing written',
    renderTable(
      ['symbol', 'interval', 'gaps', 'ohlc requests', 'trades gaps', 'trades candles', 'trades requests (est.)', 'trades/candle', 'archive-only', `time at ${rps}`],
      plan.series.map((p) => [
        p.symbol,
        p.interval,
        p.gaps,
        p.ohlc_requests,
        p.trades_gaps,
        p.trades_candles,
        requestsText(p.trades_requests, p.trades_gaps > 0),
        p.trades_per_candle,
        p.archive_only_gaps,
        formatDuration(p.seconds),
      ]),
    ),
    `total: ${t.series_with_work} of ${t.series_selected} series to call for, ${t.gaps} open record(s): ${t.ohlc_requests} OHLC request(s) + ${requestsText(t.trades_requests, t.estimated)} Trades request(s) = ${requestsText(t.requests, t.estimated)}, ${t.estimated ? '~' : ''}${formatDuration(t.seconds)} at ${rps}`,
    ...(t.estimated ? ['trades requests are estimates: the span to rebuild × the series’ trades per candle over its last 30 days held ÷ 1000 trades a page (older years usually traded less)'] : []),
    ...(t.trades_unknown ? [`${t.trades_unknown} series with trades work hold no candle to estimate from (shown as ?, left out of the total)`] : []),
    ...(plan.download_list.length ? [`${plan.download_list.length} archive-only gap(s) to download (see backfill --json or ingest --download-list)`] : []),
  ].join('\n');
}

@Command({ name: 'backfill', description: 'detect the gaps of the held series (or of --symbols) and fill them from the Kraken API (OHLC window, trades beyond it)' })
export class BackfillCommand extends CandlekeepCommand<BackfillCommandOptions> {
  constructor(
    private readonly runs: RecordedRunsService,
    private readonly backfill: BackfillService,
  ) {
    super();
  }

  protected async execute(_params: string[], o: BackfillCommandOptions): Promise<CommandOutcome> {
    if (o.from && o.to && o.from > o.to) throw new UsageError(`--from ${o.from.toISOString()} is after --to ${o.to.toISOString()}`);
    const request: BackfillOptions = {
      tier: o.tier,
      intervals: o.intervals,
      symbols: o.symbols,
      lookbackDays: o.lookbackDays,
      incremental: o.incremental ?? false,
      maxCalls: o.maxCalls,
      retryFailed: o.retryFailed ?? false,
      expectFrom: o.from ? seconds(o.from) : undefined,
      fillUntil: o.to ? seconds(o.to) : undefined,
    };
    if (o.dryRun) {
      const plan = await this.backfill.plan(request);
      return this.ok(plan, planText(plan));
    }
    const summary = await interruptible(this.cliLogger, 'stopping the backfill after the request in hand', (signal) =>
      this.runs.backfill('cli', { ...request, signal, progress: backfillProgressFor() }),
    );
    if (summary.interrupted) this.cliLogger.warn(interruptedText(summary.interrupted)); // on stderr, --json or not
    return { exitCode: backfillExitCode(summary), result: summary, text: `job ${summary.job_id}\n${backfillText(summary)}` };
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier (TIER1..TIER4)' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--symbols <list>', description: `only these assets' series: ${SYMBOLS_FLAG_HELP}; with --intervals, their series at those intervals, started when not held yet` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--intervals <list>', description: 'only the held series at these intervals (minutes or 1h, 1d, …); with --symbols, those series even when new' })
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

  @Option({
    flags: '--from <date>',
    description: 'expect the selected series from this date (ISO-8601 or epoch seconds) on, recorded for later runs, and fill from there',
  })
  parseFrom(v: string): Date {
    return parseDate(v, '--from');
  }

  @Option({ flags: '--to <date>', description: 'fill nothing after this date (the ledger still covers the whole window)' })
  parseTo(v: string): Date {
    return parseDate(v, '--to');
  }

  @Option({ flags: '--incremental', description: 'fill only the last --lookback-days (OHLC-fillable gaps whole); the ledger still covers every window' })
  parseIncremental(): boolean {
    return true;
  }

  @Option({ flags: '--retry-failed', description: 'retry FAILED gaps now instead of waiting for their retry time' })
  parseRetryFailed(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'print per series the gaps, the requests each needs (trades: an estimate) and the time at KRAKEN_RPS; calls and writes nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--max-calls <n>', description: 'API call budget; stops cleanly with PARTIAL gaps when spent' })
  parseMaxCalls(v: string): number {
    return parsePositiveInt(v, '--max-calls', { allowZero: true });
  }
}
