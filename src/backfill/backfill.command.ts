import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import {
  MAX_DAYS,
  parseDate,
  parseIntervals,
  parsePositiveInt,
  parseSymbols,
  parseTier,
  SYMBOLS_FLAG_HELP,
} from '../common/option-parsers';
import { UsageError } from '../common/errors';
import { interruptible } from '../common/interruption';
import { Tier } from '../common/enums';
import { backfillExitCode, backfillProgressFor, backfillText, interruptedText, planText } from './backfill.presenter';
import { BackfillOptions, BackfillService, DEFAULT_LOOKBACK_DAYS } from './backfill.service';
import { RecordedRunsService } from './recorded-runs.service';
import { toSeconds } from '../common/time';

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

@Command({
  name: 'backfill',
  description:
    'detect the gaps of the held series (or of --symbols) and fill them from the Kraken API (OHLC window, ' +
    'trades beyond it)',
})
export class BackfillCommand extends CandlekeepCommand<BackfillCommandOptions> {
  constructor(
    private readonly runs: RecordedRunsService,
    private readonly backfill: BackfillService,
  ) {
    super();
  }

  protected async execute(_params: string[], o: BackfillCommandOptions): Promise<CommandOutcome> {
    if (o.from && o.to && o.from > o.to)
      throw new UsageError(`--from ${o.from.toISOString()} is after --to ${o.to.toISOString()}`);
    const request: BackfillOptions = {
      tier: o.tier,
      intervals: o.intervals,
      symbols: o.symbols,
      lookbackDays: o.lookbackDays,
      incremental: o.incremental ?? false,
      maxCalls: o.maxCalls,
      retryFailed: o.retryFailed ?? false,
      expectFrom: o.from ? toSeconds(o.from) : undefined,
      fillUntil: o.to ? toSeconds(o.to) : undefined,
    };
    if (o.dryRun) {
      const plan = await this.backfill.plan(request);
      return this.ok(plan, planText(plan));
    }
    const summary = await interruptible(this.cliLogger, 'stopping the backfill after the request in hand', (signal) =>
      this.runs.backfill('cli', { ...request, signal, progress: backfillProgressFor() }),
    );
    if (summary.interrupted) this.cliLogger.warn(interruptedText(summary.interrupted)); // on stderr, --json or not
    return {
      exitCode: backfillExitCode(summary),
      result: summary,
      text: `job ${summary.job_id}\n${backfillText(summary)}`,
    };
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier (TIER1..TIER4)' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({
    flags: '--symbols <list>',
    description:
      `only these assets' series: ${SYMBOLS_FLAG_HELP}; with --intervals, ` +
      `their series at those intervals, started when not held yet`,
  })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({
    flags: '--intervals <list>',
    description:
      'only the held series at these intervals (minutes or 1h, 1d, …); with --symbols, those series even when new',
  })
  parseIntervals(v: string): number[] {
    return parseIntervals(v);
  }

  @Option({
    flags: '--lookback-days <n>',
    description:
      `expected window of a series not held yet (default: what Kraken's OHLC window reaches), ` +
      `and how far back --incremental fills (default ${DEFAULT_LOOKBACK_DAYS})`,
  })
  parseLookback(v: string): number {
    return parsePositiveInt(v, '--lookback-days', { max: MAX_DAYS });
  }

  @Option({
    flags: '--from <date>',
    description:
      'expect the selected series from this date (ISO-8601 or epoch seconds) on, recorded for later runs, ' +
      'and fill from there',
  })
  parseFrom(v: string): Date {
    return parseDate(v, '--from');
  }

  @Option({
    flags: '--to <date>',
    description: 'fill nothing after this date (the ledger still covers the whole window)',
  })
  parseTo(v: string): Date {
    return parseDate(v, '--to');
  }

  @Option({
    flags: '--incremental',
    description: 'fill only the last --lookback-days (OHLC-fillable gaps whole); the ledger still covers every window',
  })
  parseIncremental(): boolean {
    return true;
  }

  @Option({ flags: '--retry-failed', description: 'retry FAILED gaps now instead of waiting for their retry time' })
  parseRetryFailed(): boolean {
    return true;
  }

  @Option({
    flags: '--dry-run',
    description:
      'print per series the gaps, the requests each needs (trades: an estimate) and the time at KRAKEN_RPS; ' +
      'calls and writes nothing',
  })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--max-calls <n>', description: 'API call budget; stops cleanly with PARTIAL gaps when spent' })
  parseMaxCalls(v: string): number {
    return parsePositiveInt(v, '--max-calls', { allowZero: true });
  }
}
