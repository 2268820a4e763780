import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiGet, ApiErrorAnswerBody, createApiToken } from '../helpers/api';
import { storesUnderTest } from '../helpers/candle-stores';
import { runCli } from '../helpers/cli';
import { exited, freePort, RunningServer, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { at, COVERED, GAP, M, NOW, oracle, starts, writeScenario } from '../helpers/timeseries-scenario';

interface Page {
  count: number;
  coverage: { covered_seconds: number; expected_seconds: number; open_gaps: number };
  data: Array<Record<string, unknown>>;
  next_cursor: string | null;
}

/**
 * The time-series routes over real HTTP, behind a read token, on the scenario of real rows (Kraken's 1-minute
 * XBTUSDT answer around a real gap, 20:00–20:29 uncovered, with a no-trade period inside coverage): every bucket
 * against the oracle built from the rows themselves, in every fill mode, with complete and closed.
 */
describe.each(storesUnderTest('timeseries scenario over HTTP'))(
  'GET /api/v1/timeseries on the $kind store',
  (store) => {
    let db: TestDatabase;
    let dir: string;
    let server: RunningServer;
    let port: number;
    let token: string;
    const get = <T>(path: string) => apiGet<T>(port, `/api/v1/timeseries/market-data${path}`, token);

    beforeAll(async () => {
      db = await createTestDatabase();
      dir = mkdtempSync(join(tmpdir(), 'ck-api-ts-'));
      writeScenario(dir);
      const env = { DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW, ...store.env(db) };
      expect((await runCli(['ingest', '--csv', dir, '--no-api', '--json'], env)).code).toBe(0);
      token = await createApiToken(db.url, 'charts', ['read']);
      port = await freePort();
      server = startServer({ ...env, PORT: String(port) });
      await waitForHealth(port, server);
    });
    afterAll(async () => {
      if (server) {
        server.child.kill('SIGTERM');
        await exited(server.child);
      }
      await store.drop(db);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const window = { from: at('17:50'), to: at('20:40') };
    const query = (fill: string) =>
      `/XBTUSDT?aggregation_window=5m&start_time=${new Date(window.from * 1000).toISOString()}` +
      `&end_time=${window.to}&fill=${fill}&limit=5000`;
    const buckets = starts(window.from, window.to, 5 * M).map((t) => oracle(t, 5 * M));

    it('fill=none: exactly the buckets holding candles, each as its rows aggregate; the gap is not complete', async () => {
      const r = await get<Page>(query('none'));
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual(buckets.filter((b) => 'candles' in b));
      // The no-trade period inside coverage and the gap hold no candle: neither appears.
      expect(r.body.data.some((b) => b.ts === at('18:05'))).toBe(false);
      expect(r.body.data.some((b) => b.ts === GAP.from)).toBe(false);
      // Covered: the loaded files' spans (each from its first to its last traded minute) inside the buckets.
      const end = window.to + 5 * M;
      expect(r.body.coverage.covered_seconds).toBe(
        COVERED.reduce((n, c) => n + Math.max(0, Math.min(c.to + M, end) - Math.max(c.from, window.from)), 0),
      );
    });

    it('fill=prev: a flat candle only where coverage proves no trades, never in the gap', async () => {
      const r = await get<Page>(query('prev'));
      let close: number | null = null;
      const expected: unknown[] = [];
      for (const b of buckets) {
        if ('candles' in b) {
          expected.push(b);
          close = b.close ?? null;
        } else if (b.complete && close !== null) {
          expected.push({
            ...b,
            open: close,
            high: close,
            low: close,
            close,
            volume: 0,
            trades: 0,
            vwap: null,
            candles: 0,
          });
        }
      }
      expect(r.body.data).toEqual(expected);
      expect(r.body.data.find((b) => b.ts === at('18:05'))).toMatchObject({ candles: 0, complete: true, volume: 0 });
      expect(r.body.data.some((b) => b.ts === GAP.from)).toBe(false);
    });

    it('fill=null: every bucket, the uncovered ones as {complete: false} placeholders', async () => {
      const r = await get<Page>(query('null'));
      expect(r.body.data).toEqual(buckets.map((b) => ('candles' in b || !b.complete ? b : { ...b, candles: 0 })));
      expect(r.body.data.filter((b) => b.complete === false).map((b) => b.ts)).toEqual(
        starts(GAP.from - 5 * M, GAP.to, 5 * M).filter((t) => t < GAP.to),
      );
    });

    it('the bucket still open at now is not closed; /ohlcv is the same answer as columns', async () => {
      const q =
        `/XBTUSDT?aggregation_window=5m&fill=null` +
        `&start_time=${at('00:00', '2025-11-11')}&end_time=${at('00:15', '2025-11-11')}`;
      const rows = await get<Page>(q);
      expect(rows.body.data.map((b) => [b.ts, b.closed])).toEqual(
        starts(at('00:00', '2025-11-11'), at('00:15', '2025-11-11'), 5 * M).map((t) => [
          t,
          t + 5 * M <= Date.parse(NOW) / 1000,
        ]),
      );
      const cols = await get<Record<string, unknown[]>>(q.replace('/XBTUSDT?', '/XBTUSDT/ohlcv?'));
      expect(cols.body).toMatchObject({
        s: 'ok',
        t: rows.body.data.map((b) => b.ts),
        c: rows.body.data.map((b) => b.close ?? null),
        complete: rows.body.data.map((b) => b.complete),
      });
    });

    it('compare: a zero or absent base value is refused (400 UNUSABLE_BASE), never ∞', async () => {
      const r = await get<ApiErrorAnswerBody>(
        '/compare?symbols=XBTUSD&symbols=XBT/CAD&field=vwap&normalize=true&aggregation_window=1d' +
          '&start_time=2015-06-27&end_time=2015-07-01',
      );
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('UNUSABLE_BASE');
    });
  },
);

describe('GET /api/v1/timeseries with the candle store down', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let port: number;

  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The catalog and coverage know the series (loaded into the postgres store); the server's QuestDB is gone.
    dir = mkdtempSync(join(tmpdir(), 'ck-api-down-'));
    writeScenario(dir, false);
    expect((await runCli(['ingest', '--csv', dir, '--no-api', '--json'], { DATABASE_URL: db.url })).code).toBe(0);
    const dead = await freePort(); // nothing listens there
    port = await freePort();
    server = startServer({
      DATABASE_URL: db.url,
      PORT: String(port),
      API_AUTH: 'off',
      CANDLE_STORE: 'questdb',
      QUESTDB_ILP: `http::addr=127.0.0.1:${dead};`,
      QUESTDB_PG_URL: `postgres://admin:quest@127.0.0.1:${dead}/qdb`,
      QUESTDB_TABLE: `candles_${db.name}`,
    });
    await waitForHealth(port, server);
  });
  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with the typed error, and the public health says degraded', async () => {
    const health = await apiGet<{ status: string }>(port, '/api/v1/timeseries/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('degraded');
    const r = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/timeseries/market-data/XBTUSDT/latest?interval=1');
    expect(r.status).toBe(503);
    expect(r.body.error.code).toMatch(/^QUESTDB_/);
  });
});
