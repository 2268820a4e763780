import { MigrationInterface, QueryRunner } from 'typeorm';

const INTERVALS = '1, 5, 15, 30, 60, 240, 720, 1440, 10080, 21600';

/**
 * The exact gap ledger (README "The ledger invariant"):
 * - `series`: the series candlekeep expects, each with the start of its
 *   expected window, so that the window no longer depends on a run's
 *   lookback or on when it ran (filled from the coverage and open gap
 *   records already held);
 * - gap_records: `kind` (a `gap` is an uncovered span; a `suspect` is a
 *   covered span whose "no trades" is contradicted, to verify at the source),
 *   the statuses SUSPECT (a suspect to verify) and MERGED (absorbed by an
 *   adjacent record of the same fillability, named in `reason`), and
 *   `next_attempt_at` (FAILED records wait for it before any process retries);
 *   IGNORED records stay part of the ledger (they stand for their uncovered
 *   span), so the open-start unique index and the cleanup index follow;
 * - assets.archive_only: held from archives but not listed by Kraken, so never
 *   sent to the API.
 */
export class LedgerInvariant1732600000000 implements MigrationInterface {
  name = 'LedgerInvariant1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE series (
        asset_id         integer     NOT NULL REFERENCES assets (id),
        interval_minutes integer     NOT NULL CHECK (interval_minutes IN (${INTERVALS})),
        expected_from    timestamptz NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_series PRIMARY KEY (asset_id, interval_minutes),
        CONSTRAINT ck_series_aligned CHECK (extract(epoch FROM expected_from)::bigint % (interval_minutes * 60) = 0)
      )`);
    await q.query(`
      INSERT INTO series (asset_id, interval_minutes, expected_from)
      SELECT asset_id, interval_minutes, min(start_ts) FROM (
        SELECT asset_id, interval_minutes, start_ts FROM data_coverage_ranges
        UNION ALL
        SELECT asset_id, interval_minutes, start_ts FROM gap_records
         WHERE status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'IGNORED')
      ) held GROUP BY asset_id, interval_minutes`);

    await q.query(
      `ALTER TABLE gap_records ADD COLUMN kind text NOT NULL DEFAULT 'gap' CHECK (kind IN ('gap', 'suspect'))`,
    );
    await q.query(`ALTER TABLE gap_records ADD COLUMN next_attempt_at timestamptz`);
    await q.query(`ALTER TABLE gap_records DROP CONSTRAINT gap_records_status_check`);
    await q.query(
      `
      ALTER TABLE gap_records ADD CONSTRAINT gap_records_status_check CHECK (status IN
        ('DETECTED', 'SUSPECT', 'FILLING', 'FILLED', 'PARTIAL', 'VERIFIED_EMPTY', ` +
        `'UNFILLABLE', 'FAILED', 'IGNORED', 'MERGED'))`,
    );
    await q.query(
      `ALTER TABLE gap_records ADD CONSTRAINT ck_gap_records_suspect_status ` +
        `CHECK (status <> 'SUSPECT' OR kind = 'suspect')`,
    );
    // Superseded duplicates were marked IGNORED by detection; they are closed records, not ignored spans.
    await q.query(
      `UPDATE gap_records SET status = 'MERGED' ` +
        `WHERE status = 'IGNORED' AND reason LIKE 'superseded by another gap record%'`,
    );

    await q.query(`DROP INDEX uq_gap_records_open_start`);
    await q.query(`
      CREATE UNIQUE INDEX uq_gap_records_open_start ON gap_records (asset_id, interval_minutes, start_ts)
      WHERE status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'MERGED')`);
    await q.query(`DROP INDEX ix_gap_records_resolved`);
    await q.query(`
      CREATE INDEX ix_gap_records_resolved ON gap_records (resolved_at)
      WHERE status IN ('FILLED', 'VERIFIED_EMPTY', 'MERGED')`);

    await q.query(`ALTER TABLE assets ADD COLUMN archive_only boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE assets DROP COLUMN archive_only`);
    await q.query(`DROP INDEX ix_gap_records_resolved`);
    await q.query(`
      CREATE INDEX ix_gap_records_resolved ON gap_records (resolved_at)
      WHERE status IN ('FILLED', 'VERIFIED_EMPTY', 'IGNORED')`);
    await q.query(`DROP INDEX uq_gap_records_open_start`);
    await q.query(`DELETE FROM gap_records WHERE kind = 'suspect'`);
    await q.query(`UPDATE gap_records SET status = 'IGNORED' WHERE status = 'MERGED'`);
    await q.query(`
      CREATE UNIQUE INDEX uq_gap_records_open_start ON gap_records (asset_id, interval_minutes, start_ts)
      WHERE status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'IGNORED')`);
    await q.query(`ALTER TABLE gap_records DROP CONSTRAINT ck_gap_records_suspect_status`);
    await q.query(`ALTER TABLE gap_records DROP CONSTRAINT gap_records_status_check`);
    await q.query(`
      ALTER TABLE gap_records ADD CONSTRAINT gap_records_status_check CHECK (status IN
        ('DETECTED', 'FILLING', 'FILLED', 'PARTIAL', 'VERIFIED_EMPTY', 'UNFILLABLE', 'FAILED', 'IGNORED'))`);
    await q.query(`ALTER TABLE gap_records DROP COLUMN next_attempt_at`);
    await q.query(`ALTER TABLE gap_records DROP COLUMN kind`);
    await q.query(`DROP TABLE series`);
  }
}
