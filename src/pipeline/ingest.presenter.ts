import { backfillExitCode, backfillText } from '../backfill/backfill.presenter';
import { CommandOutcome } from '../cli/candlekeep-command';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { EXIT_INTERRUPTED } from '../common/interruption';
import { IngestProgress, LogIngestProgress, TtyIngestProgress } from '../ingestion/ingest-progress';
import { IngestResult } from '../ingestion/ingest.service';
import { UnifiedIngestResult } from './unified-ingest.service';

// How an ingest job reads to a person and its exit code: `ingest` and `jobs resume` share these.

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
    `files: ${result.files_total} total, ${result.files_ingested} ingested, ` +
      `${result.files_skipped} skipped (already ingested), ${result.files_failed} failed`,
    `rows: ${result.rows_read} read, ${result.rows_ingested} ingested, ${result.rows_rejected} rejected`,
    ...result.series.map(
      (s) => `  ${s.symbol} ${s.interval}m: ${s.candles} candles ${s.first_ts ?? '-'} .. ${s.last_ts ?? '-'}`,
    ),
    ...(result.unrecognized.length
      ? [`unrecognized names (not ingested):`, ...result.unrecognized.map((u) => `  ${u}`)]
      : []),
    ...(result.skipped.length ? [`skipped:`, ...result.skipped.map((s) => `  ${s.path}: ${s.reason}`)] : []),
    ...(result.headers_skipped.length ? result.headers_skipped.map((f) => `${f}: header: skipped`) : []),
    ...(result.reject_summary.length
      ? [
          'rejected rows:',
          ...result.reject_summary.map(
            (r) =>
              `  ${r.file}: ${r.reason} ×${r.count} (line${r.count > 1 ? 's' : ''} ` +
              `${r.first_lines.join(', ')}${r.count > r.first_lines.length ? ', …' : ''}` +
              `${r.first_time ? `; first ${r.first_time}` : ''})`,
          ),
          ...result.rejects.filter((r) => r.line === 0).map((r) => `  ${r.file}: ${r.reason}`),
        ]
      : []),
    ...(backfill
      ? [
          backfillText({ ...backfill, interrupted: null }), // an interruption is said once, below
          `series complete: ${backfill.completeness.complete_series} of ${backfill.completeness.series}; ` +
            `intervals covered: ${backfill.completeness.completeness_pct}% ` +
            `(${backfill.completeness.missing_intervals} missing, ${backfill.completeness.open_gaps} open gap(s), ` +
            `${backfill.completeness.suspect_gaps} suspect)`,
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
