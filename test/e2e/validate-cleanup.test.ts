import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { MarketDataUpdateResult } from '../../src/backfill/market-data-update.service';
import type { ValidationResult } from '../../src/reports/staleness.service';
import { runCli } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';
import { krakenTestEnv } from '../helpers/kraken-env';

const NOW = '2025-04-01T00:30:00Z';
/** Each test spawns several CLI processes: room for a loaded machine (no speed is asserted). */
const CLI_TEST_TIMEOUT = 180_000;

interface Hook {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local alert endpoint (node:http on port 0) recording what it receives. */
async function startHook(): Promise<{ url: string; received: Hook[]; close(): Promise<void> }> {
  const received: Hook[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

describe('validate, cleanup and update-market-data commands', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let seed: Seed;

  const env = (extra: Record<string, string> = {}) => krakenTestEnv(db.url, server.url, NOW, extra);
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli([...args, '--json'], env(extra));
  /** Usage errors need no fresh process. */
  const usage = (args: string[]) => runCliInProcess([...args, '--json'], env());

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    seed = new Seed(pg);
    server.resetCounters();
    server.clearFaults();
  });
  afterEach(async () => {
    await pg.end();
    await db.drop();
  });

  /** BTC-USD daily current (last closed day 2025-03-31), BTC-CAD daily 48 h behind. */
  async function twoSeries(): Promise<void> {
    const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
    const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
    await seed.coverage(usd, 1440, '2025-01-01', '2025-03-31');
    await seed.coverage(cad, 1440, '2025-01-01', '2025-03-29');
  }

  describe('validate', () => {
    it(
      'exits 1 listing the stale series, 0 when --hours makes them current, and follows the pinned clock',
      async () => {
        await twoSeries();
        const stale = await cli(['validate']);
        expect(stale.code).toBe(1);
        expect(stale.json<ValidationResult>()).toEqual({
          hours: 24,
          checked: 2,
          alerted: false,
          stale: [{ symbol: 'BTC-CAD-SPOT', interval: 1440, last: '2025-03-29T00:00:00.000Z', hours_behind: 48 }],
        });
        // The table names them too.
        const text = await runCli(['validate'], env());
        expect(text.code).toBe(1);
        expect(text.stdout).toMatch(/1 of 2 series are stale/);
        expect(text.stdout).toContain('BTC-CAD-SPOT');
        expect(text.stderr).not.toContain('BTC-CAD-SPOT'); // the list once (stdout), not again as a log line

        const wider = await cli(['validate', '--hours', '48']); // 48 h behind is not more than 48 h
        expect(wider.code).toBe(0);
        expect(wider.json<ValidationResult>()).toMatchObject({ hours: 48, checked: 2, stale: [] });

        const viaEnv = await cli(['validate'], { STALE_HOURS: '72' });
        expect(viaEnv.code).toBe(0);
        expect(viaEnv.json<ValidationResult>()).toMatchObject({ hours: 72, stale: [] });

        // Later on, both are behind (last closed day 2025-04-03).
        const later = await cli(['validate', '--hours', '48'], { CANDLEKEEP_NOW: '2025-04-04T12:00:00Z' });
        expect(later.code).toBe(1);
        expect(later.json<ValidationResult>().stale.map((s) => [s.symbol, s.hours_behind])).toEqual([
          ['BTC-CAD-SPOT', 120],
          ['BTC-USD-SPOT', 72],
        ]);

        expect((await usage(['validate', '--hours', 'soon'])).code).toBe(2);
      },
      CLI_TEST_TIMEOUT,
    );

    it(
      'posts a JSON alert with a Slack-compatible text naming the stale series to ALERT_WEBHOOK_URL',
      async () => {
        await twoSeries();
        const hook = await startHook();
        try {
          const fresh = await cli(['validate', '--hours', '72'], { ALERT_WEBHOOK_URL: hook.url });
          expect(fresh.code).toBe(0);
          expect(hook.received).toHaveLength(0); // nothing stale: no alert

          const r = await cli(['validate'], { ALERT_WEBHOOK_URL: hook.url });
          expect(r.code).toBe(1);
          expect(r.json<ValidationResult>().alerted).toBe(true);
          expect(hook.received).toHaveLength(1);
          const [post] = hook.received;
          expect(post!.method).toBe('POST');
          expect(post!.url).toBe('/services/T000/B000/XXXX');
          expect(post!.headers['content-type']).toMatch(/^application\/json/);
          const body = JSON.parse(post!.body) as { text: unknown; stale: Array<{ symbol: string }> };
          expect(typeof body.text).toBe('string');
          expect(body.text).toContain('BTC-CAD-SPOT 1440m');
          expect(body.text).toContain('1 stale series');
          expect(body.text).not.toContain('BTC-USD-SPOT');
          expect(body.stale.map((s) => s.symbol)).toEqual(['BTC-CAD-SPOT']);
        } finally {
          await hook.close();
        }
        // The webhook gone: the stale series are still listed (exit 1) and the failed delivery is reported.
        const down = await cli(['validate'], { ALERT_WEBHOOK_URL: hook.url });
        expect(down.code).toBe(1);
        const result = down.json<ValidationResult>();
        expect(result.stale.map((s) => s.symbol)).toEqual(['BTC-CAD-SPOT']);
        expect(result.alerted).toBe(false);
        expect(result.alert_error).toMatch(/unreachable/);
      },
      CLI_TEST_TIMEOUT,
    );
  });

  describe('cleanup', () => {
    it(
      'reports how many resolved gap records it deleted ({deleted, before})',
      async () => {
        const a = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
        await seed.gap(a, 1440, '2024-01-01', '2024-01-01', 'FILLED', '2024-06-01T00:00Z');
        await seed.gap(a, 1440, '2024-01-02', '2024-01-02', 'VERIFIED_EMPTY', '2024-12-01T00:00Z');
        await seed.gap(a, 1440, '2024-01-03', '2024-01-03', 'MERGED', '2025-03-25T00:00Z');
        // still stands for its span: kept
        await seed.gap(a, 1440, '2024-01-06', '2024-01-06', 'IGNORED', '2024-01-06T00:00Z');
        await seed.gap(a, 1440, '2024-01-04', '2024-01-04', 'DETECTED');
        await seed.gap(a, 1440, '2024-01-05', '2024-01-05', 'UNFILLABLE', '2024-01-05T00:00Z', 'ARCHIVE_ONLY');

        const byDefault = await cli(['cleanup']); // CLEANUP_DAYS 90 → before 2025-01-01T00:30Z
        expect(byDefault.code).toBe(0);
        expect(byDefault.json()).toEqual({ deleted: 2, before: '2025-01-01T00:30:00.000Z' });

        // The MERGED one was closed 7 days and 30 minutes ago.
        expect((await cli(['cleanup', '--days', '8'])).json()).toEqual({
          deleted: 0,
          before: '2025-03-24T00:30:00.000Z',
        });
        expect((await cli(['cleanup', '--days', '7'])).json()).toEqual({
          deleted: 1,
          before: '2025-03-25T00:30:00.000Z',
        });
        expect((await cli(['cleanup', '--days', '0'])).json()).toEqual({
          deleted: 0,
          before: '2025-04-01T00:30:00.000Z',
        });
        const left = await pg.query<{ status: string }>(`SELECT status FROM gap_records ORDER BY start_ts`);
        expect(left.rows.map((r) => r.status)).toEqual(['DETECTED', 'UNFILLABLE', 'IGNORED']);

        const text = await runCli(['cleanup', '--days', '0'], env());
        expect(text.code).toBe(0);
        expect(text.stdout).toMatch(/deleted 0 resolved gap record/);
        expect((await usage(['cleanup', '--days', '-1'])).code).toBe(2);
      },
      CLI_TEST_TIMEOUT,
    );
  });

  describe('update-market-data', () => {
    async function market(): Promise<void> {
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
      const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
      // Kraken: EQuery:Unknown asset pair
      const sek = await seed.asset('SEK-NOK-SPOT', 'ZSEKZNOK', 'SEKNOK', { category: 'forex' });
      await seed.coverage(sek, 1440, '2025-01-01', '2025-03-20');
      await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD'); // nothing held: not updated (no series is started)
      await seed.coverage(usd, 1440, '2025-01-01', '2025-03-20'); // behind
      await seed.coverage(cad, 1440, '2025-01-01', '2025-03-31'); // fresh
    }

    it(
      'returns the documented shape with one category failing and the others updated; ' +
        'fresh series skipped unless --force',
      async () => {
        await market();
        const first = await cli(['update-market-data', '--categories', 'crypto,forex,stock'], { LOG_LEVEL: 'info' });
        expect(first.code).toBe(1);
        const firstOut = first.json<MarketDataUpdateResult & { job_id: string }>();
        expect(firstOut).toEqual({
          job_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: 'partial',
          categories_processed: 3,
          total_categories: 3,
          summary: { total_success: 1, total_unchanged: 0, total_failed: 1, total_skipped: 1 },
          details: {
            crypto: { success: 1, unchanged: 0, failed: 0, skipped: 1 },
            forex: { success: 0, unchanged: 0, failed: 1, skipped: 0 },
            stock: { success: 0, unchanged: 0, failed: 0, skipped: 0 },
          },
          force_update: false,
          api_calls: 2, // BTC-USD's one request, SEK-NOK's one (its held 1440)
        });
        // The run is a job row: kind update-market-data, PARTIAL (two series failed), its calls counted.
        const [job] = (
          await pg.query(
            `SELECT kind, trigger, status, api_calls::int, result->>'status' AS result FROM ingestion_jobs ` +
              `WHERE id = $1`,
            [firstOut.job_id],
          )
        ).rows;
        expect(job).toEqual({
          kind: 'update-market-data',
          trigger: 'cli',
          status: 'PARTIAL',
          api_calls: 2,
          result: 'partial',
        });
        // Progress as human lines on stderr, one per category start and end, with its counts.
        const progress = [...first.stderr.matchAll(/(?:crypto|forex|stock) \(\d\/3\): .*/g)].map((m) => m[0]);
        expect(progress).toEqual([
          'crypto (1/3): started',
          'crypto (1/3): done, 1 updated, 0 unchanged, 0 failed, 1 fresh',
          'forex (2/3): started',
          'forex (2/3): done, 0 updated, 0 unchanged, 1 failed, 0 fresh',
          'stock (3/3): started',
          'stock (3/3): done, 0 updated, 0 unchanged, 0 failed, 0 fresh',
        ]);
        expect(first.stderr).not.toContain('{"current"');
        expect(server.seriesRequestCount('XBTUSD', 1440)).toBe(1);
        expect(server.seriesRequestCount('XBTCAD')).toBe(0);
        expect(server.seriesRequestCount('ETHUSD')).toBe(0);

        // Now both crypto series are fresh: skipped, no request.
        server.resetCounters();
        const again = await cli(['update-market-data', '--categories', 'crypto']);
        expect(again.code).toBe(0);
        expect(again.json<MarketDataUpdateResult>()).toMatchObject({
          status: 'success',
          summary: { total_success: 0, total_unchanged: 0, total_failed: 0, total_skipped: 2 },
          details: { crypto: { success: 0, unchanged: 0, failed: 0, skipped: 2 } },
          force_update: false,
        });
        expect(server.requestCount()).toBe(0);

        // --force ignores freshness: one OHLC request per series. Both are at their last closed candle, so the
        // answers hold nothing new: "unchanged", not "updated".
        const forced = await cli(['update-market-data', '--categories', 'crypto', '--force']);
        expect(forced.code).toBe(0);
        expect(forced.json<MarketDataUpdateResult>()).toMatchObject({
          status: 'success',
          categories_processed: 1,
          total_categories: 1,
          summary: { total_success: 0, total_unchanged: 2, total_failed: 0, total_skipped: 0 },
          force_update: true,
        });
        expect(server.seriesRequestCount('XBTUSD', 1440)).toBe(1);
        expect(server.seriesRequestCount('XBTCAD', 1440)).toBe(1);

        // Only the failing category: nothing is up to date → failed.
        const onlyForex = await cli(['update-market-data', '--categories', 'forex']);
        expect(onlyForex.code).toBe(1);
        expect(onlyForex.json<MarketDataUpdateResult>()).toMatchObject({
          status: 'failed',
          categories_processed: 1,
          summary: { total_success: 0, total_unchanged: 0, total_failed: 1, total_skipped: 0 },
        });
        expect((await usage(['update-market-data', '--categories', 'bonds'])).code).toBe(2);
      },
      CLI_TEST_TIMEOUT,
    );
  });
});
