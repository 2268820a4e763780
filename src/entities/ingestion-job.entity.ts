import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { JobKind, JobStatus, JobTrigger } from '../common/enums';
import { StateTransitionError } from './state-transition.error';
import { bigintNumber } from './transformers';

export interface JobParams {
  tier?: string;
  intervals?: number[];
  /** `--symbols` as given (any accepted form). */
  symbols?: string[];
  paths?: string[];
  flags?: Record<string, string | number | boolean>;
}

/** Who started the job and, for a scheduled task's run, which task. */
export interface JobOrigin {
  trigger: JobTrigger;
  task?: string;
}

export const JOB_COUNTERS = [
  'filesTotal',
  'filesDone',
  'filesSkipped',
  'filesFailed',
  'rowsRead',
  'rowsIngested',
  'rowsRejected',
  'gapsDetected',
  'gapsFilled',
  'gapsUnfillable',
  'apiCalls',
] as const;
export type JobCounter = (typeof JOB_COUNTERS)[number];
/** The counters of an ingest's archive half; the gap counters are its backfill's, added to on every run. */
const FILE_COUNTERS = [
  'filesTotal',
  'filesDone',
  'filesSkipped',
  'filesFailed',
  'rowsRead',
  'rowsIngested',
  'rowsRejected',
] as const satisfies readonly JobCounter[];
/** The counters of a backfill, whether a job of its own or the second half of an ingest. */
export type GapCounts = Record<
  Extract<JobCounter, 'gapsDetected' | 'gapsFilled' | 'gapsUnfillable' | 'apiCalls'>,
  number
>;

const counter = (name: string) => ({ name, type: 'bigint' as const, default: 0, transformer: bigintNumber });

@Entity('ingestion_jobs')
export class IngestionJob {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', default: 'ingest' })
  kind!: JobKind;

  @Column({ type: 'text', default: 'cli' })
  trigger!: JobTrigger;

  /** The scheduled task this job is a run of (`tasks run`, the scheduler), else null. */
  @Column({ type: 'text', nullable: true })
  task!: string | null;

  @Column({ type: 'text', default: 'PENDING' })
  status!: JobStatus;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  params!: JobParams;

  @Column(counter('files_total')) filesTotal!: number;
  @Column(counter('files_done')) filesDone!: number;
  @Column(counter('files_skipped')) filesSkipped!: number;
  @Column(counter('files_failed')) filesFailed!: number;
  @Column(counter('rows_read')) rowsRead!: number;
  @Column(counter('rows_ingested')) rowsIngested!: number;
  @Column(counter('rows_rejected')) rowsRejected!: number;
  @Column(counter('gaps_detected')) gapsDetected!: number;
  @Column(counter('gaps_filled')) gapsFilled!: number;
  @Column(counter('gaps_unfillable')) gapsUnfillable!: number;
  @Column(counter('api_calls')) apiCalls!: number;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /**
   * The run's own summary (what its command prints with --json); null for ingest jobs, whose files and rows are their
   * record.
   */
  @Column({ type: 'jsonb', nullable: true })
  result!: object | null;

  /**
   * Measured run time (all attempts of a resumed job). Not finished_at − started_at: those are on the domain
   * clock, which CANDLEKEEP_NOW pins.
   */
  @Column({ name: 'duration_ms', type: 'bigint', nullable: true, transformer: bigintNumber })
  durationMs!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * `origin` defaults as the column does: every job before the HTTP API and the scheduler recorded runs came from a
   * command.
   */
  static create(kind: JobKind, params: JobParams, origin: JobOrigin = { trigger: 'cli' }): IngestionJob {
    const job = new IngestionJob();
    job.kind = kind;
    job.trigger = origin.trigger;
    job.task = origin.task ?? null;
    job.params = params;
    job.status = 'PENDING';
    for (const c of JOB_COUNTERS) job[c] = 0;
    job.heartbeatAt = null;
    job.startedAt = null;
    job.finishedAt = null;
    job.error = null;
    job.result = null;
    job.durationMs = null;
    return job;
  }

  get isTerminal(): boolean {
    return this.status === 'COMPLETED' || this.status === 'FAILED' || this.status === 'CANCELLED';
  }

  /**
   * PENDING → RUNNING, or a resumable (PARTIAL, FAILED, stale RUNNING) job → RUNNING again. `now` is the domain
   * clock's (CANDLEKEEP_NOW pins it); heartbeats are on the wall clock, which staleness is judged by.
   */
  start(now: Date, heartbeatAt: Date = now): void {
    if (this.status === 'COMPLETED' || this.status === 'CANCELLED') {
      throw new StateTransitionError(`job ${this.id} is ${this.status} and cannot be started`);
    }
    this.status = 'RUNNING';
    this.startedAt ??= now;
    this.heartbeatAt = heartbeatAt;
    this.finishedAt = null;
    this.error = null;
  }

  heartbeat(now: Date): void {
    if (this.status !== 'RUNNING') throw new StateTransitionError(`job ${this.id} is ${this.status}, not RUNNING`);
    this.heartbeatAt = now;
  }

  /** A RUNNING job whose heartbeat is older than `staleAfterMs` was abandoned (crash, kill -9). */
  isStale(now: Date, staleAfterMs: number): boolean {
    return (
      this.status === 'RUNNING' &&
      (this.heartbeatAt === null || now.getTime() - this.heartbeatAt.getTime() > staleAfterMs)
    );
  }

  /** Resumable: interrupted or partly done; a resume skips the files already completed. */
  get isResumable(): boolean {
    return this.status === 'PARTIAL' || this.status === 'FAILED' || this.status === 'PENDING';
  }

  /**
   * RUNNING → COMPLETED when nothing failed or was rejected, else PARTIAL.
   * `incomplete` forces PARTIAL (e.g. a budget ran out).
   */
  finish(now: Date, incomplete = false, heartbeatAt: Date = now): void {
    if (this.status !== 'RUNNING') throw new StateTransitionError(`job ${this.id} is ${this.status}, not RUNNING`);
    const clean = !incomplete && this.filesFailed === 0 && this.rowsRejected === 0;
    this.status = clean ? 'COMPLETED' : 'PARTIAL';
    this.finishedAt = now;
    this.heartbeatAt = heartbeatAt;
  }

  fail(now: Date, error: string): void {
    if (this.isTerminal) throw new StateTransitionError(`job ${this.id} is already ${this.status}`);
    this.status = 'FAILED';
    this.error = error;
    this.finishedAt = now;
  }

  /** A stale RUNNING job becomes PARTIAL so that it can be resumed. */
  markAbandoned(now: Date): void {
    if (this.status !== 'RUNNING') throw new StateTransitionError(`job ${this.id} is ${this.status}, not RUNNING`);
    this.status = 'PARTIAL';
    this.error = `abandoned: no heartbeat since ${this.heartbeatAt?.toISOString() ?? 'start'}`;
    this.finishedAt = now;
  }

  cancel(now: Date): void {
    if (this.isTerminal) throw new StateTransitionError(`job ${this.id} is already ${this.status}`);
    this.status = 'CANCELLED';
    this.finishedAt = now;
  }

  /**
   * The stored row says CANCELLED (another process's `jobs cancel`, found by a guarded write): so does this
   * process's copy, whatever it had made of the job since.
   */
  markCancelled(): void {
    this.status = 'CANCELLED';
  }

  /** A run over the job's files counts them and their rows afresh (a resume recounts its completed files). */
  resetFileCounts(): void {
    for (const c of FILE_COUNTERS) this[c] = 0;
  }

  add(counter: JobCounter, n: number): void {
    this[counter] += n;
  }

  /** Adds one attempt's run time (a resumed job sums its attempts). */
  addRunTime(ms: number): void {
    this.durationMs = (this.durationMs ?? 0) + Math.round(ms);
  }
}
