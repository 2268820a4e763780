import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseJobKind, parsePositiveInt } from '../common/option-parsers';
import { durationText } from '../common/table';
import { UsageError } from '../common/errors';
import { JOB_KINDS, JobKind } from '../common/enums';
import { ingestOutcome, progressFor } from './ingest.presenter';
import { UnifiedIngestService } from './unified-ingest.service';
import { JobDetail, JobsService, JobSummary } from '../ingestion/jobs.service';

interface JobsOptions extends JsonOption {
  limit?: number;
  kind?: JobKind;
}

const ACTIONS = ['list', 'show', 'resume', 'cancel'] as const;

/** An ingest job's work is its files and rows (its gaps and calls come after); any other job's, its gaps and calls. */
const work = (j: JobSummary) =>
  [
    ...(j.kind === 'ingest'
      ? [
          `files ${j.files_ingested}/${j.files_total} (+${j.files_skipped} skipped, ${j.files_failed} failed)` +
            `  rows ${j.rows_ingested}/${j.rows_read} (${j.rows_rejected} rejected)`,
        ]
      : []),
    ...(j.kind !== 'ingest' || j.gaps_detected || j.api_calls
      ? [
          `gaps ${j.gaps_detected} detected, ${j.gaps_filled} filled, ${j.gaps_unfillable} unfillable` +
            `  API calls ${j.api_calls}`,
        ]
      : []),
  ].join('  ');

const line = (j: JobSummary) =>
  [
    j.job_id,
    j.kind,
    j.task ? `${j.trigger}:${j.task}` : j.trigger,
    `${j.status}${j.stale ? ' (stale)' : ''}`,
    work(j),
    durationText(j.duration_ms) ?? '-',
    j.created_at,
  ].join('  ');

function detailText(d: JobDetail): string {
  return [
    line(d),
    `trigger ${d.trigger}${d.task ? `, task ${d.task}` : ''}; started ${d.started_at ?? '-'}, ` +
      `finished ${d.finished_at ?? '-'}, took ${durationText(d.duration_ms) ?? '-'}`,
    ...(d.error ? [`error: ${d.error}`] : []),
    ...(d.result ? [`result: ${JSON.stringify(d.result, null, 2)}`] : []),
    'files:',
    ...d.files.map(
      (f) =>
        `  ${f.status.padEnd(17)} ${f.archive ? `${f.archive}!` : ''}${f.path}` +
        `  rows ${f.rows_ingested}/${f.rows_read}${f.error ? `  (${f.error})` : ''}`,
    ),
    `rejected rows: ${d.rejects_total}`,
    ...d.rejects.map((r) => `  ${r.file}:${r.line}: ${r.reason}: ${r.raw}`),
  ].join('\n');
}

@Command({
  name: 'jobs',
  arguments: '[action] [id]',
  description:
    'jobs (ingest, backfill, update-market-data and task runs): list [--kind K] | show ID (with rejected rows) ' +
    '| resume ID | cancel ID',
})
export class JobsCommand extends CandlekeepCommand<JobsOptions> {
  constructor(
    private readonly jobs: JobsService,
    private readonly unified: UnifiedIngestService,
  ) {
    super();
  }

  protected async execute(params: string[], options: JobsOptions): Promise<CommandOutcome> {
    const [action = 'list', id, ...extra] = params;
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`jobs: unknown action ${JSON.stringify(action)}; use ${ACTIONS.join(', ')}`);
    if (extra.length) throw new UsageError(`jobs ${action}: unexpected arguments ${extra.join(' ')}`);
    if (action === 'list') {
      if (id) throw new UsageError('jobs list takes no ID');
      const jobs = await this.jobs.list(options.limit ?? 50, options.kind);
      return this.ok(
        { jobs },
        jobs.length ? jobs.map(line).join('\n') : options.kind ? `no ${options.kind} jobs` : 'no jobs',
      );
    }
    if (!id) throw new UsageError(`jobs ${action}: a job ID is required`);
    if (options.kind) throw new UsageError(`jobs ${action}: --kind is for jobs list`);
    switch (action) {
      case 'show': {
        const detail = await this.jobs.show(id);
        return this.ok(detail, detailText(detail));
      }
      case 'resume':
        return ingestOutcome(await this.unified.resume(id, progressFor()));
      default: {
        const job = await this.jobs.cancel(id);
        return this.ok(job, line(job));
      }
    }
  }

  @Option({ flags: '--limit <n>', description: 'jobs list: how many of the newest jobs (default 50)' })
  parseLimit(value: string): number {
    return parsePositiveInt(value, '--limit', { max: 100_000 });
  }

  @Option({ flags: '--kind <kind>', description: `jobs list: only jobs of this kind (${JOB_KINDS.join(', ')})` })
  parseKind(value: string): JobKind {
    return parseJobKind(value);
  }
}
