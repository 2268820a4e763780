import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every backfill, update-market-data and task run is a job row beside the
 * ingest jobs (README "Scheduled tasks"):
 * - `trigger`: who started it (a command, the scheduler, the HTTP API);
 *   every existing row came from a command;
 * - `task`: the scheduled task the run was of, else null;
 * - `result`: the run's own summary (its `--json` object);
 * - `duration_ms`: measured run time (started_at/finished_at are on the
 *   domain clock, which CANDLEKEEP_NOW pins);
 * - `kind` is checked against the kinds there are;
 * - indexes for `jobs list --kind` and the last run of each task
 *   (`tasks list`), both newest first.
 */
export class JobRunHistory1732700000000 implements MigrationInterface {
  name = 'JobRunHistory1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_jobs ADD COLUMN trigger text NOT NULL DEFAULT 'cli'`);
    await q.query(
      `ALTER TABLE ingestion_jobs ADD CONSTRAINT ck_ingestion_jobs_trigger ` +
        `CHECK (trigger IN ('cli', 'schedule', 'api'))`,
    );
    await q.query(`ALTER TABLE ingestion_jobs ADD COLUMN task text`);
    await q.query(`ALTER TABLE ingestion_jobs ADD COLUMN result jsonb`);
    await q.query(
      `ALTER TABLE ingestion_jobs ADD COLUMN duration_ms bigint ` +
        `CONSTRAINT ck_ingestion_jobs_duration CHECK (duration_ms >= 0)`,
    );
    await q.query(`
      ALTER TABLE ingestion_jobs ADD CONSTRAINT ck_ingestion_jobs_kind CHECK (kind IN
        ('ingest', 'backfill', 'update-market-data', 'cleanup', 'validate', 'report', 'recover-stale-jobs'))`);
    await q.query(`CREATE INDEX ix_ingestion_jobs_kind ON ingestion_jobs (kind, created_at DESC)`);
    await q.query(
      `CREATE INDEX ix_ingestion_jobs_task ON ingestion_jobs (task, created_at DESC) WHERE task IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_ingestion_jobs_task`);
    await q.query(`DROP INDEX ix_ingestion_jobs_kind`);
    await q.query(`ALTER TABLE ingestion_jobs DROP CONSTRAINT ck_ingestion_jobs_kind`);
    await q.query(
      `ALTER TABLE ingestion_jobs DROP COLUMN duration_ms, DROP COLUMN result, DROP COLUMN task, DROP COLUMN trigger`,
    );
  }
}
