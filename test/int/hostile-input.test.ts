import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { GapView } from '../../src/gaps/gaps.service';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import { CliResult } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES, t } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { writeZip } from '../helpers/zip';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

const NOW = '2025-04-01T00:30:00Z';

/** Hostile input and limits (README "Archive ingestion", "Configuration"): nothing valid lost, nothing crashes. */
describe('hostile input: nothing valid is lost, nothing crashes, usage errors are usage errors', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let dir: string;

  const env = (extra: Record<string, string> = {}) => krakenTestEnv(db.url, server.url, NOW, extra);
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
    runCliInProcess([...args, '--json'], env(extra));
  const lines = (file: string) => readFileSync(join(FIXTURES, file), 'utf8').trim().split('\n');

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
    dir = mkdtempSync(join(tmpdir(), 'ck-hostile-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    server.resetCounters();
    server.clearFaults();
  });
  afterEach(async () => {
    await pg.end();
    await db.drop();
  });

  it(
    'a NUL byte or invalid UTF-8 in a rejected row: the reject is stored escaped, with line and reason; ' +
      'every valid row is kept',
    async () => {
      const rows = lines('XBTUSD_720.csv');
      const bad = [...rows.slice(0, 100).map((l) => Buffer.from(l + '\n'))];
      bad.push(
        Buffer.concat([
          Buffer.from(rows[100]!.slice(0, 12)),
          Buffer.from([0x00]),
          Buffer.from(rows[100]!.slice(12) + '\n'),
        ]),
      );
      bad.push(
        Buffer.concat([
          Buffer.from(rows[101]!.slice(0, 12)),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(rows[101]!.slice(12) + '\n'),
        ]),
      );
      bad.push(...rows.slice(102).map((l) => Buffer.from(l + '\n')));
      mkdirSync(join(dir, 'nul'), { recursive: true });
      const file = join(dir, 'nul', 'XBTUSD_720.csv');
      writeFileSync(file, Buffer.concat(bad));
      const r = await run(['ingest', '--csv', file, '--no-api']);
      expect(r.code).toBe(1); // rows were rejected
      const out = r.json<IngestResult>();
      expect(out).toMatchObject({
        files_ingested: 1,
        files_failed: 0,
        rows_read: rows.length,
        rows_ingested: rows.length - 2,
        rows_rejected: 2,
      });
      const stored = await pg.query(`SELECT line, reason, raw FROM ingestion_rejects ORDER BY line`);
      expect(stored.rows).toEqual([
        {
          line: '101',
          reason: expect.stringMatching(/^bad_number/),
          raw: `${rows[100]!.slice(0, 12)}\\x00${rows[100]!.slice(12)}`,
        },
        {
          line: '102',
          reason: expect.stringMatching(/^bad_number/),
          raw: `${rows[101]!.slice(0, 12)}\\xff\\xfe${rows[101]!.slice(12)}`,
        },
      ]);
      expect((await pg.query(`SELECT count(*)::int AS n FROM candles`)).rows[0].n).toBe(rows.length - 2);
    },
  );

  it(
    'a directory with symlink loops and dangling links is walked once: the loops are listed as skipped, ' +
      'the files ingested',
    async () => {
      const d = join(dir, 'loops');
      mkdirSync(join(d, 'a'), { recursive: true });
      writeFileSync(join(d, 'a', 'XBTCAD_1440.csv'), readFileSync(join(FIXTURES, 'XBTCAD_1440.csv')));
      symlinkSync('.', join(d, 'self'));
      symlinkSync('..', join(d, 'a', 'up'));
      mkdirSync(join(d, 'b'));
      symlinkSync(join(d, 'b'), join(d, 'a', 'to-b'));
      symlinkSync(join(d, 'a'), join(d, 'b', 'to-a'));
      symlinkSync(join(d, 'nowhere'), join(d, 'dangling'));
      const r = await run(['ingest', '--csv', d, '--no-api']);
      expect(r.code).toBe(0);
      const out = r.json<IngestResult>();
      expect(out).toMatchObject({ files_total: 1, files_ingested: 1 });
      expect(out.skipped.map((s) => [s.path.slice(d.length), s.reason.split(':')[0]]).sort()).toEqual(
        [
          ['/a/to-b/to-a', 'symlink loop'],
          ['/a/up', 'symlink loop'],
          ['/b', 'symlink loop'],
          ['/dangling', 'dangling link'],
          ['/self', 'symlink loop'],
        ].sort(),
      );
    },
  );

  it(
    'a ZIP with hostile member names: they are refused with the reason, never written anywhere; ' +
      'the valid members are ingested',
    async () => {
      const zip = join(dir, 'hostile.zip');
      const data = readFileSync(join(FIXTURES, 'XBTCAD_1440.csv'));
      writeZip(zip, [
        { name: '../../etc/XBTUSD_60.csv', data: 'x' },
        { name: `${'A'.repeat(5000)}_60.csv`, data: 'x' },
        { name: 'dir\\XBTUSD_60.csv', data: 'x' },
        { name: "x'; DROP TABLE assets; --_60.csv", data: 'x' },
        { name: Buffer.from('XBT\u0000USD_60.csv'), data: 'x' },
        { name: '/abs/XBTEUR_60.csv', data: 'x' },
        { name: 'good/XBTCAD_1440.csv', data },
      ]);
      const r = await run(['ingest', '--csv', zip, '--no-api']);
      expect({ code: r.code, out: r.code === 0 ? '' : r.stdout }).toEqual({ code: 0, out: '' });
      const out = r.json<IngestResult>();
      expect(out).toMatchObject({
        files_total: 1,
        files_ingested: 1,
        rows_ingested: data.toString().trim().split('\n').length,
      });
      expect(out.skipped.map((s) => s.reason)).toEqual([
        'refused member name: invalid relative path',
        'refused member name: longer than 255 bytes',
        'refused member name: invalid characters in fileName',
        'refused member name: control characters',
        'refused member name: absolute path',
      ]);
      expect(out.unrecognized).toEqual([`${zip}!x'; DROP TABLE assets; --_60.csv`]);
      expect((await pg.query(`SELECT count(*)::int AS n FROM assets`)).rows[0].n).toBe(1);
    },
  );

  it('intervals are decimal minutes or the 1m…1w aliases, nothing else', async () => {
    for (const bad of ['0x3c', '6e1', '60.0', '-60', '1mo']) {
      const r = await run(['gaps', '--intervals', bad]);
      expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
    }
    expect((await run(['gaps', '--intervals', '1h,1d,720'])).code).toBe(0);
  });

  it(
    'stores at most INGEST_MAX_STORED_REJECTS rejects per file: the rest are counted, ' +
      'and the file fails on its reject ratio',
    async () => {
      const zip = join(dir, 'bomb.zip');
      writeZip(zip, [{ name: 'XBTUSD_60.csv', data: 'not,a,row\n'.repeat(50_000) }]);
      const r = await run(['ingest', '--csv', zip, '--no-api'], { INGEST_MAX_STORED_REJECTS: '1000' });
      expect(r.code).toBe(1);
      expect(r.json<IngestResult>()).toMatchObject({
        files_failed: 1,
        rows_read: 50_000,
        rows_rejected: 50_000,
        rows_ingested: 0,
      });
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n, max(CASE WHEN reason LIKE 'rejects_not_stored%' THEN reason END) AS capped ` +
          `FROM ingestion_rejects`,
      );
      expect(rows[0]).toEqual({
        n: 1000 + 2,
        capped: 'rejects_not_stored: 49000 more rejected row(s) counted, not stored (INGEST_MAX_STORED_REJECTS=1000)',
      });
    },
  );

  it.each([
    ['KRAKEN_TIMEOUT_MS', '9999999999'],
    ['KRAKEN_BACKOFF_BASE_MS', '9999999999'],
    ['JOB_HEARTBEAT_MS', '9999999999'],
    ['QUESTDB_VISIBILITY_TIMEOUT_MS', '9999999999'],
    ['CLEANUP_DAYS', '1000000000000'],
    ['BACKFILL_LOOKBACK_DAYS', '1e12'],
    ['BACKFILL_SETS', 'TIER1:61'],
    ['KRAKEN_ENDPOINT_TIMEOUTS_MS', 'Trades=0'],
    ['KRAKEN_ENDPOINT_RETRIES', 'Nope=1'],
  ])('%s=%s is refused with exit 2 naming the variable', async (variable, value) => {
    const r = await run(['gaps'], { [variable]: value });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${variable}=${JSON.stringify(value)}`);
  });

  it.each([
    [['cleanup', '--days', '1e12']],
    [['cleanup', '--days', '99999999999']],
    [['backfill', '--lookback-days', '1000000']],
    [['validate', '--hours', '0x10']],
  ])('%j is a usage error (exit 2), never an SQL error', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('USAGE');
  });

  it('a timestamp claimed twice with different values: both rows rejected, the slot not covered, a gap', async () => {
    const rows = lines('XBTUSD_1440.csv');
    const i = rows.findIndex((l) => l.startsWith(`${t('2024-06-01')},`));
    const changed = rows[i]!.split(',');
    changed[4] = String(Number(changed[4]) + 1);
    const edited = [...rows.slice(0, i + 1), changed.join(','), ...rows.slice(i + 1)];
    mkdirSync(join(dir, 'dup'), { recursive: true });
    const file = join(dir, 'dup', 'XBTUSD_1440.csv');
    writeFileSync(file, edited.join('\n') + '\n');
    const r = await run(['ingest', '--csv', file, '--no-api']);
    expect(r.code).toBe(1);
    expect(r.json<IngestResult>()).toMatchObject({
      rows_read: rows.length + 1,
      rows_rejected: 2,
      rows_ingested: rows.length - 1,
    });
    const gaps = (await run(['gaps', '--kind', 'gap'])).json<{ gaps: GapView[] }>().gaps;
    expect(gaps.map((g) => [g.start_ts, g.end_ts])).toEqual([['2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z']]);
  });

  it('archives get the one validation every source has: zero and negative prices are rejected', async () => {
    mkdirSync(join(dir, 'neg'), { recursive: true });
    const file = join(dir, 'neg', 'XBTUSD_1440.csv');
    const rows = lines('XBTUSD_1440.csv').slice(0, 50);
    const ts = (k: number) => rows[k]!.split(',')[0];
    rows[10] = `${ts(10)},0,0,0,0,0,0`;
    rows[20] = `${ts(20)},-5,10,-6,9,1,3`;
    writeFileSync(file, rows.join('\n') + '\n');
    const out = (await run(['ingest', '--csv', file, '--no-api'])).json<IngestResult>();
    expect(out.rejects.map((x) => [x.line, x.reason])).toEqual([
      [11, 'non_positive_price: prices must be > 0'],
      [21, 'non_positive_price: prices must be > 0'],
    ]);
  });

  it('api_calls counts every request sent, retries included, and --max-calls bounds them all', async () => {
    const seed = new Seed(pg);
    const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
    await seed.coverage(usd, 1440, '2025-01-01T00:00Z', '2025-02-28T00:00Z');
    server.fault('OHLC', { kind: 'http500', times: 2 });
    const out = (await run(['backfill', '--intervals', '1440'])).json<BackfillSummary>();
    expect(out).toMatchObject({ api_calls: 3, gaps_filled: 1 });
    expect(server.requestCount('OHLC')).toBe(3);

    // A budget of 2 stops between the attempts: two requests, the gap back to be tried again.
    const other = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD', { tier: 'TIER1' });
    await seed.coverage(other, 1440, '2025-01-01T00:00Z', '2025-02-28T00:00Z');
    server.resetCounters();
    server.fault('OHLC', { kind: 'http500', times: 5 });
    const bounded = await run(['backfill', '--intervals', '1440', '--max-calls', '2']);
    expect(bounded.json<BackfillSummary>()).toMatchObject({ api_calls: 2 });
    expect(server.requestCount()).toBe(2);
    const cad = (await run(['gaps', '--kind', 'gap']))
      .json<{ gaps: GapView[] }>()
      .gaps.filter((g) => g.symbol === 'BTC-CAD-SPOT');
    expect(cad.map((g) => g.status)).toEqual(['DETECTED']);
  });

  it("a failing OHLC call does not keep the series' trades-fillable gap from being tried", async () => {
    // BTC-USD 60m around the recorded trades of 2020-12-05, with an OHLC-fillable tail too.
    const seed = new Seed(pg);
    const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
    await seed.coverage(usd, 60, '2020-12-05T00:00Z', '2020-12-05T14:00Z');
    await seed.coverage(usd, 60, '2020-12-05T18:00Z', '2025-03-20T00:00Z');
    server.fault('OHLC', { kind: 'http500', times: 10 });
    const r = await run(['backfill', '--intervals', '60']);
    expect(r.code).toBe(1);
    const gaps = (await run(['gaps', '--kind', 'gap', '--status', 'all'])).json<{ gaps: GapView[] }>().gaps;
    expect(gaps.map((g) => [g.fillability, g.status])).toEqual([
      ['API_TRADES', 'FILLED'],
      ['API_OHLC', 'FAILED'],
    ]);
    expect(server.requestCount('Trades')).toBeGreaterThan(0);
  });

  it('a file left PROCESSING by a job that ended is resolved FAILED by the next run', async () => {
    const seed = new Seed(pg);
    const asset = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
    const job = await pg.query(
      `INSERT INTO ingestion_jobs (id, kind, status, params) VALUES (gen_random_uuid(), 'ingest', 'FAILED', '{}') ` +
        `RETURNING id`,
    );
    await pg.query(
      `INSERT INTO file_ingestion_records (job_id, path, status, asset_id, interval_minutes) ` +
        `VALUES ($1, '/x/XBTUSD_60.csv', 'PROCESSING', $2, 60)`,
      [job.rows[0].id, asset],
    );
    await run(['ingest', '--csv', join(FIXTURES, 'XBTCAD_1440.csv'), '--no-api']);
    const { rows } = await pg.query(`SELECT status, error FROM file_ingestion_records WHERE path = '/x/XBTUSD_60.csv'`);
    expect(rows).toEqual([{ status: 'FAILED', error: 'interrupted: its job ended before this file was finished' }]);
  });
});
