import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { EXIT_INTERRUPTED } from '../common/interruption';
import { formatDuration } from '../common/progress-format';
import { renderTable } from '../common/table';
import type * as ProgressBar from './backfill-progress-bar';
import { BackfillProgress } from './backfill-progress';
import { BackfillPlan, BackfillSummary, leftWorkUndone } from './backfill.service';

// How a backfill run reads to a person and its exit code: `backfill` and `ingest` (which ends with one) share these.

/**
 * Exit 1 when a gap failed, stopped short, waits for its retry time (still failed) or belonged to a series
 * another process kept writing: the run left work undone, never silently.
 */
export function backfillExitCode(
  s: Pick<BackfillSummary, 'gaps_failed' | 'gaps_partial' | 'gaps_deferred' | 'series_skipped_locked' | 'interrupted'>,
): number {
  if (s.interrupted) return EXIT_INTERRUPTED[s.interrupted] ?? EXIT_INCOMPLETE;
  return leftWorkUndone(s) ? EXIT_INCOMPLETE : EXIT_OK;
}

export function interruptedText(signal: string): string {
  return (
    `interrupted by ${signal}: gaps in progress are PARTIAL with their cursor, the rest as detected; ` +
    `resume with: candlekeep backfill (the same flags)`
  );
}

export function backfillText(s: BackfillSummary): string {
  if (s.series_processed === 0 && !s.interrupted) {
    return (
      'no held series selected (backfill fills the series held): ' +
      'ingest archives first (candlekeep ingest --csv PATH), or name the series to start: ' +
      'candlekeep backfill --symbols BTC-USD --intervals 60,1440'
    );
  }
  return [
    `series ${s.series_processed} (${s.assets_processed} assets` +
      `${s.series_skipped_locked ? `, ${s.series_skipped_locked} held by another process` : ''})`,
    `gaps detected ${s.gaps_detected}${s.suspects ? ` (+${s.suspects} suspect)` : ''}: filled ${s.gaps_filled}, ` +
      `partial ${s.gaps_partial}, verified empty ${s.gaps_verified_empty}, unfillable ${s.gaps_unfillable}, ` +
      `failed ${s.gaps_failed}${
        s.gaps_deferred ? `, ${s.gaps_deferred} failed earlier waiting for their retry time (--retry-failed)` : ''
      }`,
    ...(s.series_skipped_archive_only
      ? [`${s.series_skipped_archive_only} series of archive-only assets not sent to the API`]
      : []),
    `candles filled ${s.total_candles_filled}, API calls ${s.api_calls}`,
    ...(s.interrupted ? [interruptedText(s.interrupted)] : []),
    ...(s.download_list.length
      ? [
          'download list:',
          ...s.download_list.map((d) => `  ${d.symbol} ${d.interval}m ${d.start_ts}..${d.end_ts}: ${d.archive_hint}`),
        ]
      : []),
  ].join('\n');
}

const requestsText = (n: number | null, estimated: boolean) =>
  n === null ? '?' : `${estimated ? '~' : ''}${n.toLocaleString('en-US')}`;

/** The dry run as a table: per series, then the total and what the trades figures are based on. */
export function planText(plan: BackfillPlan): string {
  const t = plan.totals;
  const rps = `KRAKEN_RPS=${plan.kraken_rps}`;
  if (plan.series.length === 0) return `dry run: ${t.series_selected} series selected, no open gap: nothing to call`;
  return [
    'dry run: nothing called, nothing written',
    renderTable(
      [
        'symbol',
        'interval',
        'gaps',
        'ohlc requests',
        'trades gaps',
        'trades candles',
        'trades requests (est.)',
        'trades/candle',
        'archive-only',
        `time at ${rps}`,
      ],
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
    `total: ${t.series_with_work} of ${t.series_selected} series to call for, ${t.gaps} open record(s): ` +
      `${t.ohlc_requests} OHLC request(s) + ${requestsText(t.trades_requests, t.estimated)} Trades request(s) ` +
      `= ${requestsText(t.requests, t.estimated)}, ${t.estimated ? '~' : ''}${formatDuration(t.seconds)} at ${rps}`,
    ...(t.estimated
      ? [
          'trades requests are estimates: ' +
            'the span to rebuild × the series’ trades per candle over its last 30 days held ÷ 1000 trades a page ' +
            '(older years usually traded less)',
        ]
      : []),
    ...(t.trades_unknown
      ? [
          `${t.trades_unknown} series with trades work hold no candle to estimate from (shown as ?, ` +
            `left out of the total)`,
        ]
      : []),
    ...(plan.download_list.length
      ? [`${plan.download_list.length} archive-only gap(s) to download (see backfill --json or ingest --download-list)`]
      : []),
  ].join('\n');
}

/**
 * The bar on a terminal, periodic lines otherwise. Required on call: a dry run or a
 * failed start of the verb never loads cli-progress.
 */
export function backfillProgressFor(): BackfillProgress {
  const { TtyBackfillProgress, LogBackfillProgress } = require('./backfill-progress-bar') as typeof ProgressBar;
  return process.stderr.isTTY ? new TtyBackfillProgress() : new LogBackfillProgress();
}
