import { IntervalMinutes, Tier } from '../common/enums';
import { SeriesRef, Span } from '../common/series';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { IngestionJob, JobParams } from '../entities/ingestion-job.entity';
import { JobCounts } from '../jobs/job-counts';
import { SkippedEntry } from './archive-discovery.service';
import { IngestProgress } from './ingest-progress';
import { JobAttempt } from './ingest-job-runner';
import { StoredReject } from './ingestion-reject.repository';
import { RejectSummary } from './reject-summary';

export const DEFAULT_MAX_REJECT_RATIO = 0.2;

export type JobFlags = NonNullable<JobParams['flags']>;

export interface IngestRequest {
  /** Files, ZIPs or directories. */
  paths: string[];
  tier?: Tier;
  intervals?: IntervalMinutes[];
  /** Only the files of these assets (any accepted symbol form). */
  symbols?: string[];
  /** A file whose rejected share exceeds this fails and keeps none of its rows. */
  maxRejectRatio: number;
  /** Aborted (SIGINT/SIGTERM): the file in hand is rolled back and the job left PARTIAL, resumable. */
  signal?: AbortSignal;
  /** More settings stored in the job's flags (the unified run's gap options), for `jobs resume` to run with. */
  flags?: JobFlags;
}

export interface SeriesSummary {
  symbol: string;
  interval: number;
  first_ts: string | null;
  last_ts: string | null;
  candles: number;
}

/** The `ingest --json` object. */
export interface IngestResult extends JobCounts {
  job_id: string;
  status: string;
  unrecognized: string[];
  /**
   * Entries not followed or refused, with why (symlink loops, dangling links, unreadable entries, hostile ZIP member
   * names).
   */
  skipped: SkippedEntry[];
  /** Files whose first line was a header (skipped, not a row). */
  headers_skipped: string[];
  /** Rejected rows by file and reason: how many, the first lines, the first candle time when the row had one. */
  reject_summary: RejectSummary[];
  series: SeriesSummary[];
  rejects: StoredReject[];
  /** The signal that stopped the run (the file in hand rolled back, the job PARTIAL), or null. */
  interrupted: string | null;
}

/** One run over a job's files: what the steps (dedup, load) share and add to. */
export interface RunContext {
  job: IngestionJob;
  request: IngestRequest;
  progress: IngestProgress;
  /** This job's records from an earlier attempt (resume), by file key. */
  previous: Map<string, FileIngestionRecord>;
  /** Job writes (heartbeat timer, file ends, finish), one after another; whether it was cancelled or interrupted. */
  attempt: JobAttempt;
  series: Map<string, SeriesRef>;
  /** Files whose header line was skipped. */
  headers: string[];
  /** Rejects per file and reason: counts, first lines, first times (what the output lists). */
  rejectSummary: Map<string, RejectSummary>;
  /** The spans of the files loaded by this run, per series (the cross-interval no-trade check looks there). */
  loaded: Map<string, { series: SeriesRef; spans: Span[] }>;
}

export const fileKey = (archive: string | null, path: string) => `${archive ?? ''}\u0000${path}`;
