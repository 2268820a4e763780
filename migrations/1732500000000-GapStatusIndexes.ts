import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replaces the (status, resolved_at) index on gap_records, which every new
 * record entered, by two partial ones that new (DETECTED) records never
 * enter: resolved records by resolution time (cleanup) and records being
 * filled (stale-job recovery). Measured: about a fifth of the cost of
 * inserting 100,000 records on a first detection run.
 */
export class GapStatusIndexes1732500000000 implements MigrationInterface {
  name = 'GapStatusIndexes1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_gap_records_status`);
    await q.query(`
      CREATE INDEX ix_gap_records_resolved ON gap_records (resolved_at)
      WHERE status IN ('FILLED', 'VERIFIED_EMPTY', 'IGNORED')`);
    await q.query(`CREATE INDEX ix_gap_records_filling ON gap_records (id) WHERE status = 'FILLING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_gap_records_filling`);
    await q.query(`DROP INDEX ix_gap_records_resolved`);
    await q.query(`CREATE INDEX ix_gap_records_status ON gap_records (status, resolved_at)`);
  }
}
