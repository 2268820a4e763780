import { IngestionJob } from '../entities/ingestion-job.entity';

/**
 * The command that takes up what a stopped job left: an ingest job resumes itself (its completed files kept);
 * any other run is simply run again, since the ledger (gaps, coverage, cursors) holds where it stopped.
 */
export function takeUpCommand(job: Pick<IngestionJob, 'id' | 'kind' | 'task'>): string {
  if (job.kind === 'ingest') return `candlekeep jobs resume ${job.id}`;
  return job.task ? `candlekeep tasks run ${job.task}` : `candlekeep ${job.kind}`;
}
