import { IngestionJob } from '../entities/ingestion-job.entity';

/** A job's file and row counters as the JSON outputs name them (`ingest --json`, `jobs show|list`). */
export interface JobCounts {
  files_total: number;
  files_ingested: number;
  files_skipped: number;
  files_failed: number;
  rows_read: number;
  rows_ingested: number;
  rows_rejected: number;
}

export function jobCounts(job: IngestionJob): JobCounts {
  return {
    files_total: job.filesTotal,
    files_ingested: job.filesDone,
    files_skipped: job.filesSkipped,
    files_failed: job.filesFailed,
    rows_read: job.rowsRead,
    rows_ingested: job.rowsIngested,
    rows_rejected: job.rowsRejected,
  };
}
