import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UsageError } from '../common/errors';
import { JobKind, JobStatus } from '../common/enums';
import { GapCounts, IngestionJob, JOB_COUNTERS } from '../entities/ingestion-job.entity';

/**
 * Job timestamps (start, heartbeat, finish) and staleness are process
 * liveness, so they use the wall clock: CANDLEKEEP_NOW pins the domain's
 * "now" (which candles are open), not whether a process is still alive.
 */
export const wallClock = (): Date => new Date();

const outcomeOf = (job: IngestionJob) => ({
  ...Object.fromEntries(JOB_COUNTERS.map((c) => [c, job[c]])),
  result: job.result,
  durationMs: job.durationMs,
});

@Injectable()
export class IngestionJobRepository {
  constructor(@InjectRepository(IngestionJob) private readonly repo: Repository<IngestionJob>) {}

  insert(job: IngestionJob): Promise<IngestionJob> {
    return this.repo.save(job);
  }

  findById(id: string): Promise<IngestionJob | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return Promise.resolve(null);
    return this.repo.findOneBy({ id });
  }

  /**
   * The job whose id is `id` or starts with it (4+ characters); a prefix several jobs share is a usage error naming
   * them.
   */
  async findByIdOrPrefix(id: string): Promise<IngestionJob | null> {
    const text = id.trim().toLowerCase();
    if (!/^[0-9a-f-]{4,36}$/.test(text))
      throw new UsageError(`${JSON.stringify(id)} is not a job id (or a prefix of one, 4+ characters)`);
    const found = await this.repo
      .createQueryBuilder('j')
      .where('j.id::text LIKE :p', { p: `${text}%` })
      .orderBy('j.id')
      .limit(2)
      .getMany();
    if (found.length > 1)
      throw new UsageError(`job id prefix ${text} is ambiguous: ${found.map((j) => j.id).join(', ')}, …`);
    return found[0] ?? null;
  }

  /** The newest `limit` jobs, of one kind when given. */
  list(limit: number, kind?: JobKind): Promise<IngestionJob[]> {
    return this.repo.find({ where: kind ? { kind } : {}, order: { createdAt: 'DESC' }, take: limit });
  }

  /** The newest job of each of these tasks, by task name (a task never run has none). */
  async latestPerTask(tasks: readonly string[]): Promise<Map<string, IngestionJob>> {
    const found = await this.repo
      .createQueryBuilder('j')
      .distinctOn(['j.task'])
      .where('j.task IN (:...tasks)', { tasks })
      .orderBy('j.task')
      .addOrderBy('j.createdAt', 'DESC')
      .getMany();
    return new Map(found.map((j) => [j.task!, j]));
  }

  /** RUNNING jobs whose last heartbeat is older than `before`. */
  findStaleRunning(before: Date): Promise<IngestionJob[]> {
    return this.repo
      .createQueryBuilder('j')
      .where(`j.status = 'RUNNING' AND (j.heartbeat_at IS NULL OR j.heartbeat_at < :before)`, { before })
      .getMany();
  }

  /**
   * Adds the gap/backfill half of a unified run to its (finished) job; an
   * incomplete backfill turns a COMPLETED job PARTIAL.
   */
  async recordBackfill(id: string, c: GapCounts & { incomplete: boolean }): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(IngestionJob)
      .set({
        gapsDetected: () => `gaps_detected + ${Math.trunc(c.gapsDetected)}`,
        gapsFilled: () => `gaps_filled + ${Math.trunc(c.gapsFilled)}`,
        gapsUnfillable: () => `gaps_unfillable + ${Math.trunc(c.gapsUnfillable)}`,
        apiCalls: () => `api_calls + ${Math.trunc(c.apiCalls)}`,
        ...(c.incomplete ? { status: () => `CASE WHEN status = 'COMPLETED' THEN 'PARTIAL' ELSE status END` } : {}),
      })
      .where('id = :id', { id })
      .execute();
  }

  /**
   * Writes the job's status, counters, times and error only if the stored
   * status is still `expected` (another process may have cancelled it):
   * returns false when it was not.
   */
  async writeIf(job: IngestionJob, expected: JobStatus): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(IngestionJob)
      .set({
        ...outcomeOf(job),
        status: job.status,
        heartbeatAt: job.heartbeatAt,
        startedAt: job.startedAt,
        finishedAt: job.finishedAt,
        error: job.error,
      })
      .where('id = :id AND status = :expected', { id: job.id, expected })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Writes what the job's run did (counters, result, run time) whatever its status: a cancelled run's record. */
  async writeOutcome(job: IngestionJob): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(IngestionJob)
      .set(outcomeOf(job))
      .where('id = :id', { id: job.id })
      .execute();
  }
}
