import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/** The state schema's constraints carry the invariants: each one rejects what it must. */
describe('state schema constraints', () => {
  let db: TestDatabase;
  let pg: Client;
  let assetId: number;
  const sha = 'a'.repeat(64);

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query(
      `INSERT INTO assets (exchange, symbol, base, quote, instrument_type, native_symbol, category, tier)
       VALUES ('kraken', 'BTC-USD-SPOT', 'BTC', 'USD', 'SPOT', 'XXBTZUSD', 'crypto', 'TIER1') RETURNING id`,
    );
    assetId = rows[0].id;
  });

  afterAll(async () => {
    await pg.end();
    await db.drop();
  });

  const expectViolation = async (sql: string, params: unknown[], constraint: string) => {
    await expect(pg.query(sql, params)).rejects.toMatchObject({ constraint });
  };

  it('creates every table of the state schema', async () => {
    const { rows } = await pg.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        'assets',
        'candles',
        'data_coverage_ranges',
        'file_ingestion_records',
        'gap_records',
        'ingestion_jobs',
      ]),
    );
  });

  it('fills defaults for an asset given only the essentials', async () => {
    const { rows } = await pg.query(
      `SELECT tier, active, catalog_verified, created_at, altname FROM assets WHERE id = $1`,
      [assetId],
    );
    expect(rows[0]).toMatchObject({ tier: 'TIER1', active: true, catalog_verified: false, altname: null });
    expect(rows[0].created_at).toBeInstanceOf(Date);
  });

  it('rejects a second asset with the same exchange and native symbol, or the same standard symbol', async () => {
    await expectViolation(
      `INSERT INTO assets (exchange, symbol, base, quote, instrument_type, native_symbol, category, tier)
       VALUES ('kraken', 'XBT-USD-SPOT', 'XBT', 'USD', 'SPOT', 'XXBTZUSD', 'crypto', 'TIER1')`,
      [],
      'uq_assets_exchange_native_symbol',
    );
    await expectViolation(
      `INSERT INTO assets (exchange, symbol, base, quote, instrument_type, native_symbol, category, tier)
       VALUES ('kraken', 'BTC-USD-SPOT', 'BTC', 'USD', 'SPOT', 'XBTUSD', 'crypto', 'TIER1')`,
      [],
      'uq_assets_exchange_symbol',
    );
  });

  it('rejects overlapping coverage ranges of one series but accepts touching ones and other series', async () => {
    const insert =
      `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts) ` + `VALUES ($1, $2, $3, $4)`;
    await pg.query(insert, [assetId, 60, '2024-01-01T00:00Z', '2024-01-10T00:00Z']);
    await expectViolation(
      insert,
      [assetId, 60, '2024-01-05T00:00Z', '2024-01-20T00:00Z'],
      'ex_data_coverage_ranges_disjoint',
    );
    await expectViolation(
      insert,
      [assetId, 60, '2024-01-10T00:00Z', '2024-01-11T00:00Z'],
      'ex_data_coverage_ranges_disjoint',
    );
    await pg.query(insert, [assetId, 60, '2024-01-10T01:00Z', '2024-01-11T00:00Z']);
    await pg.query(insert, [assetId, 1440, '2024-01-05T00:00Z', '2024-01-20T00:00Z']);
    const { rows } = await pg.query(
      `SELECT sources, candle_count FROM data_coverage_ranges WHERE interval_minutes = 1440`,
    );
    expect(rows[0]).toEqual({ sources: [], candle_count: '0' });
  });

  it('rejects a coverage range or gap that ends before it starts', async () => {
    await expectViolation(
      `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts) VALUES ($1, 60, $2, $3)`,
      [assetId, '2023-02-01T00:00Z', '2023-01-01T00:00Z'],
      'ck_data_coverage_ranges_span',
    );
    await expectViolation(
      `INSERT INTO gap_records (asset_id, interval_minutes, start_ts, end_ts) VALUES ($1, 60, $2, $3)`,
      [assetId, '2023-02-01T00:00Z', '2023-01-01T00:00Z'],
      'ck_gap_records_span',
    );
  });

  it('rejects a coverage range not aligned to its interval', async () => {
    await expectViolation(
      `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts) VALUES ($1, 60, $2, $3)`,
      [assetId, '2022-01-01T00:30Z', '2022-01-02T00:00Z'],
      'ck_data_coverage_ranges_aligned',
    );
  });

  it('accepts a sha256 as COMPLETED only once', async () => {
    const insert =
      `INSERT INTO file_ingestion_records (path, sha256, status, rows_read, rows_ingested) ` +
      `VALUES ($1, $2, $3, 5, 5)`;
    await pg.query(insert, ['a/XBTUSD_60.csv', sha, 'COMPLETED']);
    await pg.query(insert, ['b/XBTUSD_60.csv', sha, 'SKIPPED_DUPLICATE']);
    await pg.query(insert, ['c/XBTUSD_60.csv', sha, 'FAILED']);
    await expectViolation(insert, ['d/XBTUSD_60.csv', sha, 'COMPLETED'], 'uq_file_ingestion_records_sha256_completed');
  });

  it('rejects a COMPLETED file whose counts lose rows', async () => {
    await expectViolation(
      `INSERT INTO file_ingestion_records (path, sha256, status, rows_read, rows_ingested, rows_rejected) ` +
        `VALUES ('x.csv', $1, 'COMPLETED', 10, 8, 1)`,
      ['b'.repeat(64)],
      'ck_file_ingestion_records_completed_counts',
    );
  });

  it('allows one unresolved gap per series start, and a new one once the old is resolved', async () => {
    const insert =
      `INSERT INTO gap_records (asset_id, interval_minutes, start_ts, end_ts, status) ` + `VALUES ($1, 60, $2, $3, $4)`;
    const start = '2024-03-01T00:00Z';
    await pg.query(insert, [assetId, start, '2024-03-02T00:00Z', 'DETECTED']);
    await expectViolation(insert, [assetId, start, '2024-03-03T00:00Z', 'PARTIAL'], 'uq_gap_records_open_start');
    await pg.query(`UPDATE gap_records SET status = 'FILLED', resolved_at = now() WHERE start_ts = $1`, [start]);
    await pg.query(insert, [assetId, start, '2024-03-03T00:00Z', 'DETECTED']);
    const { rows } = await pg.query(
      `SELECT count(*)::int AS n, min(detected_at) IS NOT NULL AS dated FROM gap_records`,
    );
    expect(rows[0]).toEqual({ n: 2, dated: true });
  });

  it('rejects unknown enum values and intervals', async () => {
    await expectViolation(
      `INSERT INTO gap_records (asset_id, interval_minutes, start_ts, end_ts, status) ` +
        `VALUES ($1, 60, now(), now(), 'DONE')`,
      [assetId],
      'gap_records_status_check',
    );
    await expectViolation(
      `INSERT INTO candles (asset_id, interval_minutes, ts, open, high, low, close, volume) ` +
        `VALUES ($1, 7, now(), 1, 1, 1, 1, 1)`,
      [assetId],
      'candles_interval_minutes_check',
    );
  });

  it('keys candles on (asset, interval, ts) and rejects unaligned timestamps', async () => {
    const insert =
      `INSERT INTO candles (asset_id, interval_minutes, ts, open, high, low, close, volume) ` +
      `VALUES ($1, 60, $2, 1, 2, 0.5, 1.5, 3)`;
    await pg.query(insert, [assetId, '2024-01-01T00:00Z']);
    await expectViolation(insert, [assetId, '2024-01-01T00:00Z'], 'pk_candles');
    await expectViolation(insert, [assetId, '2024-01-01T00:01Z'], 'ck_candles_aligned');
  });

  it('creates a job with a uuid, PENDING status and zero counters from no columns at all', async () => {
    const { rows } = await pg.query(`INSERT INTO ingestion_jobs DEFAULT VALUES RETURNING *`);
    expect(rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[0]).toMatchObject({ status: 'PENDING', kind: 'ingest', rows_read: '0', params: {} });
  });
});
