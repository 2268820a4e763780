import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { JobKind, JobTrigger } from '../common/enums';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { FileLedgerRepository } from './file-ledger.repository';
import { jobCounts, JobCounts } from '../jobs/job-counts';
import { IngestionJobRepository, wallClock } from '../jobs/ingestion-job.repository';
import { IngestionRejectRepository, StoredReject } from './ingestion-reject.repository';
import { JobConflictError, JobFinishedError, JobNotFoundError } from './ingestion.errors';

const SHOW_REJECTS = 1000;

export interface JobSummary extends JobCounts {
  job_id: string;
  kind: JobKind;
  trigger: JobTrigger;
  /** The scheduled task the job is a run of, or null. */
  task: string | null;
  status: string;
  /** RUNNING but silent for 3 heartbeats: the process is gone; `jobs resume` picks it up. */
  stale: boolean;
  params: IngestionJob['params'];
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
  finished_at: string | null;
  /** Measured run time (all attempts); null while running and for jobs from before it was recorded. */
  duration_ms: number | null;
  gaps_detected: number;
  gaps_filled: number;
  gaps_unfillable: number;
  api_calls: number;
  error: string | null;
}

export interface JobFileSummary {
  id: number;
  archive: string | null;
  path: string;
  status: string;
  size_bytes: number;
  sha256: string | null;
  rows_read: number;
  rows_ingested: number;
  rows_rejected: number;
  first_ts: string | null;
  last_ts: string | null;
  error: string | null;
}

export interface JobDetail extends JobSummary {
  /** A backfill, update or task run's own summary (its --json object); null for ingest jobs. */
  result: object | null;
  files: JobFileSummary[];
  rejects_total: number;
  /** The job's rejected rows (the first 1000). */
  rejects: StoredReject[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `candlekeep jobs`: listing, details with rejected rows, cancellation. */
@Injectable()
export class JobsService {
  constructor(
    private readonly jobs: IngestionJobRepository,
    private readonly ledger: FileLedgerRepository,
    private readonly rejects: IngestionRejectRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async list(limit = 50, kind?: JobKind): Promise<JobSummary[]> {
    return (await this.jobs.list(limit, kind)).map((j) => this.summary(j));
  }

  async show(id: string): Promise<JobDetail> {
    const job = await this.get(id);
    const files = await this.ledger.forJob(job.id);
    return {
      ...this.summary(job),
      result: job.result,
      files: files.map(fileSummary),
      rejects_total: await this.rejects.countForJob(job.id),
      rejects: await this.rejects.listForJob(job.id, SHOW_REJECTS),
    };
  }

  /**
   * A running job sees the cancellation at its next heartbeat: an ingest stops after rolling back its current
   * file, a backfill after the request in hand (as on SIGINT), a task run where it can.
   */
  async cancel(id: string): Promise<JobSummary> {
    const job = await this.get(id);
    const before = job.status;
    // Only a job still under way can be cancelled; a finished one keeps its history (PARTIAL included).
    if (job.status !== 'RUNNING' && job.status !== 'PENDING')
      throw new JobFinishedError(`job ${id} already finished (${job.status})`);
    job.cancel(this.clock.now());
    if (!(await this.jobs.writeIf(job, before)))
      throw new JobConflictError(`job ${id} changed while cancelling; try again`);
    return this.summary(job);
  }

  /** By its id or a unique prefix of it (as `jobs list` prints them). */
  private async get(id: string): Promise<IngestionJob> {
    const job = await this.jobs.findByIdOrPrefix(id);
    if (!job) throw new JobNotFoundError(`no ingestion job ${id}`);
    return job;
  }

  private summary(j: IngestionJob): JobSummary {
    return {
      job_id: j.id,
      kind: j.kind,
      trigger: j.trigger,
      task: j.task,
      status: j.status,
      stale: j.isStale(wallClock(), 3 * this.config.jobs.heartbeatMs),
      params: j.params,
      ...jobCounts(j),
      created_at: j.createdAt.toISOString(),
      started_at: iso(j.startedAt),
      heartbeat_at: iso(j.heartbeatAt),
      finished_at: iso(j.finishedAt),
      duration_ms: j.durationMs,
      gaps_detected: j.gapsDetected,
      gaps_filled: j.gapsFilled,
      gaps_unfillable: j.gapsUnfillable,
      api_calls: j.apiCalls,
      error: j.error,
    };
  }
}

function fileSummary(f: FileIngestionRecord): JobFileSummary {
  return {
    id: f.id,
    archive: f.archive,
    path: f.path,
    status: f.status,
    size_bytes: f.sizeBytes,
    sha256: f.sha256,
    rows_read: f.rowsRead,
    rows_ingested: f.rowsIngested,
    rows_rejected: f.rowsRejected,
    first_ts: iso(f.firstTs),
    last_ts: iso(f.lastTs),
    error: f.error,
  };
}
