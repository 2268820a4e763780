import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Write versions of the candle series (README "Aggregate cache"): every candle write raises its series' version
 * once the store made it visible, so that aggregates a process cached under an older version are never served
 * after it, by any process. No foreign key: the counter of a series outlives nothing and costs no lookup.
 */
export class CandleSeriesVersions1732900000000 implements MigrationInterface {
  name = 'CandleSeriesVersions1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE candle_series_versions (
        asset_id          integer     NOT NULL,
        interval_minutes  integer     NOT NULL,
        version           bigint      NOT NULL,
        written_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_candle_series_versions PRIMARY KEY (asset_id, interval_minutes)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE candle_series_versions`);
  }
}
