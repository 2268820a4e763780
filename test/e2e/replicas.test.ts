import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { MarketDataUpdateResult } from '../../src/backfill/market-data-update.service';
import { runCli, startCli } from '../helpers/cli';
import { FIXTURES, SAMPLES, writeMinuteFile, writePieces } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

const NOW = '2025-04-01T00:30:00Z';
const TIMEOUT = 240_000;

/** Polls `check` every 50 ms until it holds (bounded): states are awaited, never slept for. */
async function until(what: string, check: () => Promise<boolean>, tries = 1200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Several processes on one database: replicas and users at once (README "Scheduled tasks and several replicas"). */
describe('several candlekeep processes at once', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let tmp: string;
  const env = (extra: Record<string, string> = {}) => krakenTestEnv(db.url, server.url, NOW, extra);

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
    tmp = mkdtempSync(join(tmpdir(), 'ck-replicas-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
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
    'three `ingest` runs of the same archives at once: each content and series loaded by one, ' +
      'skipped by the others; all exit 0, rows stored once',
    async () => {
      const dir = join(tmp, 'same');
      SAMPLES.slice(0, 4).forEach((s, i) => {
        mkdirSync(join(dir, String(i)), { recursive: true });
        copyFileSync(join(FIXTURES, s.file), join(dir, String(i), s.file.split('/').pop()!));
      });
      const runs = [0, 1, 2].map(() => runCli(['ingest', '--csv', dir, '--no-api', '--json'], env()));
      const results = await Promise.all(runs);
      expect(results.map((r) => [r.code, r.stderr.includes('rror') ? r.stderr : ''])).toEqual([
        [0, ''],
        [0, ''],
        [0, ''],
      ]);
      const ingested = results.map((r) => r.json<{ files_ingested: number; files_skipped: number }>());
      expect(ingested.reduce((n, x) => n + x.files_ingested, 0)).toBe(4);
      expect(ingested.reduce((n, x) => n + x.files_skipped, 0)).toBe(8);
      for (const s of SAMPLES.slice(0, 4)) {
        const { rows } = await pg.query(
          `SELECT count(*)::int AS n FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1 ` +
            `AND c.interval_minutes = $2`,
          [s.symbol, s.interval],
        );
        expect([s.file, rows[0].n]).toEqual([s.file, s.rows]);
      }
      const ledger = await pg.query(
        `SELECT status, count(*)::int AS n FROM file_ingestion_records GROUP BY status ORDER BY status`,
      );
      expect(ledger.rows).toEqual([
        { status: 'COMPLETED', n: 4 },
        { status: 'SKIPPED_DUPLICATE', n: 8 },
      ]);
    },
    TIMEOUT,
  );

  it(
    'the same content under three names at once (two of one series, one of another): loaded by one, ' +
      'the others find it after reading it and roll back; rows stored once',
    async () => {
      // Big enough for two of them to be reading at once: the content is known to each only after its pass.
      const rows = 300_000;
      const t0 = Date.UTC(2024, 5, 1) / 1000;
      const paths = [join(tmp, 'x', 'XBTUSD_1.csv'), join(tmp, 'y', 'ETHUSD_1.csv'), join(tmp, 'z', 'XBTUSD_1.csv')];
      mkdirSync(join(tmp, 'x'), { recursive: true });
      await writeMinuteFile(paths[0]!, rows, t0, (k) => 1 + (k % 9));
      for (const p of paths.slice(1)) {
        mkdirSync(join(p, '..'), { recursive: true });
        copyFileSync(paths[0]!, p);
      }
      let ended = false;
      const running = Promise.all(
        paths.map((p) => runCli(['ingest', '--csv', p, '--no-api', '--json'], env())),
      ).finally(() => (ended = true));
      // Two series read at once (BTC-USD and ETH-USD; the second BTC-USD file waits for its series): the race is run.
      let overlapped = false;
      while (!ended && !overlapped) {
        const r = await pg.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM file_ingestion_records WHERE status = 'PROCESSING'`,
        );
        overlapped = r.rows[0]!.n >= 2;
        await new Promise((done) => setTimeout(done, 25));
      }
      const results = await running;
      expect(results.map((r) => [r.code, r.stderr.includes('rror') ? r.stderr : ''])).toEqual([
        [0, ''],
        [0, ''],
        [0, ''],
      ]);
      expect(overlapped).toBe(true);
      const outs = results.map((r) =>
        r.json<{ files_ingested: number; files_skipped: number; rows_ingested: number; rows_read: number }>(),
      );
      expect(outs.map((o) => o.files_ingested).sort()).toEqual([0, 0, 1]);
      expect(outs.map((o) => o.rows_read).sort((a, b) => a - b)).toEqual([0, 0, rows]);
      const ledger = await pg.query<{ status: string; symbol: string; id: number; of: string | null }>(
        `SELECT f.status, a.symbol, f.id, f.checkpoint->>'duplicate_of' AS of FROM file_ingestion_records f ` +
          `JOIN assets a ON a.id = f.asset_id ORDER BY f.status`,
      );
      const [completed, ...skipped] = ledger.rows;
      expect([completed!.status, ...skipped.map((r) => r.status)]).toEqual([
        'COMPLETED',
        'SKIPPED_DUPLICATE',
        'SKIPPED_DUPLICATE',
      ]);
      for (const r of skipped) expect(r.of).toBe(String(completed!.id));
      // The rows are stored once, under the loaded file's series; the other series holds nothing, no coverage.
      const held = await pg.query<{ symbol: string; candles: number; ranges: number }>(
        `SELECT a.symbol,
                (SELECT count(*)::int FROM candles c WHERE c.asset_id = a.id AND c.interval_minutes = 1) AS candles,
                (SELECT count(*)::int FROM data_coverage_ranges r WHERE r.asset_id = a.id ` +
          `AND r.interval_minutes = 1) AS ranges
           FROM assets a WHERE a.symbol IN ('BTC-USD-SPOT', 'ETH-USD-SPOT') ORDER BY a.symbol`,
      );
      expect(held.rows).toEqual(
        ['BTC-USD-SPOT', 'ETH-USD-SPOT'].map((symbol) =>
          symbol === completed!.symbol ? { symbol, candles: rows, ranges: 1 } : { symbol, candles: 0, ranges: 0 },
        ),
      );
    },
    TIMEOUT,
  );

  it(
    'a backfill of a series an ingest is loading waits for it, then works from its coverage: ' +
      'archive candles are never replaced',
    async () => {
      // A large 1-minute archive, so that the ingest holds its series for a while.
      const dir = join(tmp, 'big');
      mkdirSync(dir, { recursive: true });
      const t0 = Date.UTC(2024, 5, 1) / 1000; // 400,000 minutes later is still before NOW
      const rows = 400_000;
      await writeMinuteFile(join(dir, 'ETHUSD_1.csv'), rows, t0, (k) => 1 + (k % 9));
      const ingest = startCli(['ingest', '--csv', dir, '--no-api', '--json'], env());
      // Once the ingest is writing the series, start the backfill of it.
      await until('the ingest to load its file', async () => {
        const r = await pg.query(`SELECT 1 FROM file_ingestion_records WHERE status = 'PROCESSING'`);
        return r.rows.length > 0;
      });
      const backfill = await runCli(
        ['backfill', '--intervals', '1', '--max-calls', '5', '--json'],
        env({ TRADES_BACKFILL: 'off' }),
      );
      const ingested = await ingest.done;
      expect(ingested.code).toBe(0);
      expect(backfill.json<BackfillSummary>().series_skipped_locked).toBe(0);
      const sources = await pg.query(
        `SELECT source, count(*)::int AS n FROM candles WHERE interval_minutes = 1 AND ts < to_timestamp($1) ` +
          `GROUP BY source`,
        [t0 + rows * 60],
      );
      expect(sources.rows).toEqual([{ source: 'csv', n: rows }]);
      // The backfill worked after the ingest's coverage: no OHLC request asked for what the archive holds.
      const since = server.requests.filter((q) => q.endpoint === 'OHLC').map((q) => Number(q.params.since));
      expect(since.every((s) => s >= t0 + (rows - 1) * 60)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'kill -9 while a backfill pages trades: the next run takes the FILLING gap over and resumes from its cursor, ' +
      'never exiting 0 with it skipped',
    async () => {
      const seed = new Seed(pg);
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
      await seed.coverage(usd, 60, '2020-12-05T00:00Z', '2020-12-05T14:00Z');
      await seed.coverage(usd, 60, '2020-12-05T18:00Z', '2025-03-31T23:00Z');
      server.delay('Trades', 2000);
      const first = startCli(['backfill', '--intervals', '60', '--json'], env());
      await until('the first Trades request', async () => server.requestCount('Trades') > 0);
      first.child.kill('SIGKILL');
      await first.done;
      const stuck = await pg.query(`SELECT status FROM gap_records WHERE kind = 'gap'`);
      expect(stuck.rows).toEqual([{ status: 'FILLING' }]);
      server.delay('Trades', 0);
      const again = await runCli(['backfill', '--intervals', '60', '--json'], env());
      expect(again.code).toBe(0);
      expect(again.json<BackfillSummary>()).toMatchObject({ gaps_filled: 1 });
      expect(again.stderr).toMatch(/took over 1 record\(s\) left FILLING/);
      const gaps = await pg.query(`SELECT status FROM gap_records WHERE kind = 'gap'`);
      expect(gaps.rows).toEqual([{ status: 'FILLED' }]);
    },
    TIMEOUT,
  );

  it(
    'Ctrl-C (SIGINT) while a backfill pages trades: the request in hand finishes, ' +
      'the gap is PARTIAL with its cursor, the claim is released, exit 130 with how to resume; ' +
      'the next run finishes it',
    async () => {
      const seed = new Seed(pg);
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
      await seed.coverage(usd, 60, '2020-12-05T00:00Z', '2020-12-05T14:00Z');
      await seed.coverage(usd, 60, '2020-12-05T18:00Z', '2025-03-31T23:00Z');
      server.delay('Trades', 1500);
      const first = startCli(['backfill', '--intervals', '60', '--json'], env());
      await until('the first Trades request', async () => server.requestCount('Trades') > 0);
      first.child.kill('SIGINT');
      const stopped = await first.done;
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toMatch(/SIGINT: stopping the backfill after the request in hand/);
      expect(stopped.stderr).toMatch(/interrupted by SIGINT: .*resume with: candlekeep backfill/);
      expect(stopped.json<BackfillSummary>()).toMatchObject({ interrupted: 'SIGINT', gaps_partial: 1, gaps_failed: 0 });
      expect(server.requestCount('Trades')).toBe(1); // none after the one in hand
      const left = await pg.query(`SELECT status, cursor, attempts, reason FROM gap_records WHERE kind = 'gap'`);
      expect(left.rows).toEqual([
        {
          status: 'PARTIAL',
          cursor: expect.stringMatching(/^\d+$/),
          attempts: 1,
          reason: expect.stringMatching(/^interrupted by SIGINT; resumes from cursor/),
        },
      ]);
      // Advisory locks of this test's database only: other test files share the cluster.
      const locks = await pg.query(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' ` +
          `AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(locks.rows).toEqual([{ n: 0 }]);
      server.delay('Trades', 0);
      const again = await runCli(['backfill', '--intervals', '60', '--json'], env());
      expect(again.code).toBe(0);
      expect(again.json<BackfillSummary>()).toMatchObject({ gaps_filled: 1, interrupted: null });
      const [firstCursor] = left.rows as Array<{ cursor: string }>;
      const resumed = server.requests.filter((q) => q.endpoint === 'Trades').map((q) => q.params.since);
      expect(resumed[1]).toBe(firstCursor!.cursor); // resumed where the interrupted run stopped
    },
    TIMEOUT,
  );

  it(
    'two `update-market-data --force` at once: one request per series across the processes',
    async () => {
      const seed = new Seed(pg);
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
      const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD', { tier: 'TIER1' });
      await seed.coverage(usd, 1440, '2024-01-01', '2025-03-25');
      await seed.coverage(cad, 1440, '2024-01-01', '2025-03-25');
      // Slow enough answers that both processes read the coverage before either has updated a series, however
      // long one of them takes to boot on a loaded machine (a process that starts after a series was updated is a
      // later forced run, which asks again by design). 500 ms let one CI run in many see 3 requests.
      server.delay('OHLC', 3000);
      const args = ['update-market-data', '--categories', 'crypto', '--force', '--json'];
      const [a, b] = await Promise.all([runCli(args, env()), runCli(args, env())]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(server.requestCount('OHLC')).toBe(2);
      const results = [a, b].map((r) => r.json<MarketDataUpdateResult>().summary);
      expect(results.reduce((n, s) => n + s.total_success, 0)).toBe(2);
    },
    TIMEOUT,
  );

  it(
    'the database going away mid-backfill is named as such, one line, no stack trace',
    async () => {
      // An embedded PostgreSQL of this test's own (CANDLEKEEP_HOME, no DATABASE_URL), killed while the backfill waits
      // for Kraken, as a crashed server would be.
      const home = join(tmp, 'own-pg');
      chmodSync(tmp, 0o755); // as root the cluster runs as the postgres OS user, which must reach the home
      const own = {
        CANDLEKEEP_HOME: home,
        KRAKEN_API_URL: server.url,
        CANDLEKEEP_NOW: NOW,
        KRAKEN_RPS: '1000',
        KRAKEN_BURST: '100',
      };
      writePieces(join(tmp, 'own-archive'), 'XBTUSD_1440.csv', [[0, Date.UTC(2025, 2, 1) / 1000]]);
      expect((await runCli(['migrate', '--json'], own)).code).toBe(0);
      expect((await runCli(['ingest', '--csv', join(tmp, 'own-archive'), '--no-api', '--json'], own)).code).toBe(0);
      server.delay('OHLC', 3000);
      const run = startCli(['backfill', '--intervals', '1440'], own);
      await until('the OHLC request', async () => server.requestCount('OHLC') > 0);
      const postmaster = Number(readFileSync(join(home, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      const r = await run.done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/lost the connection to PostgreSQL/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toMatch(/Query runner already released/);
    },
    TIMEOUT,
  );
});
