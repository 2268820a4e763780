import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli } from './helpers/cli';
import { createTestDatabase, TestDatabase } from './helpers/test-database';

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

  it('exits 2 on an invalid configuration value, naming the variable and the value', async () => {
    const r = await runCli(['migrate', '--json'], { DATABASE_URL: db.url, KRAKEN_RPS: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KRAKEN_RPS="lots"');
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an unknown verb or flag and 0 on --help for every verb', async () => {
    expect((await runCli(['frobnicate'], { DATABASE_URL: db.url })).code).toBe(2);
    const badFlag = await runCli(['migrate', '--nope'], { DATABASE_URL: db.url });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option '--nope'");
    const help = await runCli(['--help'], { DATABASE_URL: db.url });
    expect(help.code).toBe(0);
    const verbs = [...help.stdout.matchAll(/^ {2}([a-z-]+)(?: \[options\]| )/gm)].map((m) => m[1]!).filter((v) => v !== 'help');
    expect(verbs).toContain('migrate');
    for (const verb of verbs) {
      const r = await runCli([verb, '--help'], { DATABASE_URL: db.url });
      expect({ verb, code: r.code }).toEqual({ verb, code: 0 });
      expect(r.stdout).toContain('--json');
    }
  }, 180_000); // one CLI process per verb: room for a loaded machine

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
