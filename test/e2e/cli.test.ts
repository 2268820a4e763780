import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const TABLES = ['assets', 'candles', 'data_coverage_ranges', 'file_ingestion_records', 'gap_records', 'ingestion_jobs'];

describe('candlekeep CLI conventions', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db.drop());

  it('`migrate --json` on an empty database creates every table and prints one JSON object', async () => {
    const r = await runCli(['migrate', '--json'], { DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    const out = r.json<{ applied: string[]; tables: string[]; database: { reachable: boolean } }>();
    expect(out.applied.length).toBeGreaterThan(0);
    expect(out.tables).toEqual(expect.arrayContaining(TABLES));
    expect(out.database.reachable).toBe(true);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    await pg.end();
    expect(rows.map((x) => x.table_name)).toEqual(expect.arrayContaining(TABLES));

    const again = await runCli(['migrate', '--json'], { DATABASE_URL: db.url });
    expect(again.code).toBe(0);
    expect(again.json<{ applied: string[] }>().applied).toEqual([]);
  });

  it('with no DATABASE_URL starts an embedded PostgreSQL under CANDLEKEEP_HOME and stops it on exit', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ck-home-'));
    try {
      const r = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(r.code).toBe(0);
      expect(r.json<{ tables: string[]; database: { embedded: boolean } }>()).toMatchObject({
        tables: expect.arrayContaining(TABLES),
        database: { embedded: true },
      });
      expect(existsSync(join(home, 'pg', 'PG_VERSION'))).toBe(true);
      expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(false);
      // Reused across runs: the second run finds the cluster and its schema.
      const again = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(again.json<{ applied: string[] }>().applied).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
