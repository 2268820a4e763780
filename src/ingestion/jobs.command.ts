import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parsePositiveInt } from '../cli/option-parsers';
import { UsageError } from '../common/errors';
import { ingestOutcome, progressFor } from './ingest.command';
import { IngestService } from './ingest.service';
import { JobDetail, JobsService, JobSummary } from './jobs.service';

interface JobsOptions extends JsonOption {
  limit?: number;
}

const ACTIONS = ['list', 'show', 'resume', 'cancel'] as const;

const line = (j: JobSummary) =>
  `${j.job_id}  ${j.status}${j.stale ? ' (stale)' : ''}  files ${j.files_ingested}/${j.files_total} (+${j.files_skipped} skipped, ${j.files_failed} failed)  rows ${j.rows_ingested}/${j.rows_read} (${j.rows_rejected} rejected)  ${j.created_at}`;

function detailText(d: JobDetail): string {
  return [
    line(d),
    ...(d.error ? [`error: ${d.error}`] : []),
    'files:',
    ...d.files.map((f) => `  ${f.status.padEnd(17)} ${f.archive ? `${f.archive}!` : ''}${f.path}  rows ${f.rows_ingested}/${f.rows_read}${f.error ? `  (${f.error})` : ''}`),
    `rejected rows: ${d.rejects_total}`,
    ...d.rejects.map((r) => `  ${r.file}:${r.line}: ${r.reason}: ${r.raw}`),
  ].join('\n');
}

@Command({
  name: 'jobs',
  arguments: '[action] [id]',
  description: 'ingestion jobs: list | show ID (with rejected rows) | resume ID | cancel ID',
})
export class JobsCommand extends CandlekeepCommand<JobsOptions> {
  constructor(
    private readonly jobs: JobsService,
    private readonly ingest: IngestService,
  ) {
    super();
  }

  protected async execute(params: string[], options: JobsOptions): Promise<CommandOutcome> {
    const [action = 'list', id, ...extra] = params;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`jobs: unknown action ${JSON.stringify(action)}; use ${ACTIONS.join(', ')}`);
    if (extra.length) throw new UsageError(`jobs ${action}: unexpected arguments ${extra.join(' ')}`);
    if (action === 'list') {
      if (id) throw new UsageError('jobs list takes no ID');
      const jobs = await this.jobs.list(options.limit ?? 50);
      return this.ok({ jobs }, jobs.length ? jobs.map(line).join('\n') : 'no ingestion jobs');
    }
    if (!id) throw new UsageError(`jobs ${action}: a job ID is required`);
    switch (action) {
      case 'show': {
        const detail = await this.jobs.show(id);
        return this.ok(detail, detailText(detail));
      }
      case 'resume':
        return ingestOutcome(await this.ingest.resume(id, progressFor()));
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
}
