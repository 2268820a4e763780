import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storesUnderTest } from '../helpers/candle-stores';
import { runCli } from '../helpers/cli';
import { FIXTURES } from '../helpers/ingest';
import { exited, freePort, RunningServer, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/** Kraken's daily archives of XBTUSD and XBTCAD (which starts 2015-06-29) end 2025-03-31: now is a day later. */
const NOW = '2025-04-01T00:30:00Z';
const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
const usdRows = readFileSync(join(FIXTURES, 'XBTUSD_1440.csv'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split(',').map(Number));
const usd = new Map(usdRows.map((r) => [r[0]!, r]));

describe.each(storesUnderTest('timeseries over HTTP'))('GET /timeseries/… on the $kind store', (store) => {
  let db: TestDatabase;
  let dir: string;
  let server: RunningServer;
  let base: string;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-ts-http-'));
    for (const f of ['XBTUSD_1440.csv', 'XBTCAD_1440.csv']) copyFileSync(join(FIXTURES, f), join(dir, f));
    const env = { DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW, ...store.env(db) };
    expect((await runCli(['ingest', '--csv', dir, '--no-api', '--json'], env)).code).toBe(0);
    const port = await freePort();
    server = startServer({ ...env, PORT: String(port), HOST: '127.0.0.1', API_AUTH: 'off' });
    await waitForHealth(port, server);
    base = `http://127.0.0.1:${port}/api/v1`;
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

  it('GET /timeseries/health is public: the candle store is reachable, neither daily series is stale (both end yesterday)', async () => {
    const r = await get('/timeseries/health');
    expect(r).toMatchObject({
      status: 200,
      body: { status: 'ok', candle_store: { store: store.kind, reachable: true }, stale_series: 0 },
    });
  });

  it('/market-data/compare reaches compare (declared before :symbol), one axis from the later start', async () => {
    const r = await get(
      '/timeseries/market-data/compare?symbols=XBTUSD&symbols=XBT/CAD&field=close&normalize=true' +
        `&start_time=2015-06-27&end_time=${day('2015-07-01')}`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      field: 'close',
      aggregation_window: '1d',
      normalize: true,
      align: 'intersection',
      base_ts: day('2015-06-29'),
    });
    expect((r.body.t as number[])[0]).toBe(day('2015-06-29'));
    expect((r.body.series as Array<{ symbol: string; values: number[] }>).map((s) => [s.symbol, s.values[0]])).toEqual([
      ['BTC-USD-SPOT', 0],
      ['BTC-CAD-SPOT', 0],
    ]);
    const union = await get(
      '/timeseries/market-data/compare?symbols=XBTUSD,XBTCAD&align=union&start_time=2015-06-27&end_time=2015-07-01',
    );
    expect((union.body.series as Array<{ values: unknown[] }>)[1]!.values.slice(0, 2)).toEqual([null, null]);
  });

  it('/market-data/:symbol pages Thursday weeks with the cursor; /ohlcv is the same query as columns', async () => {
    const q = 'aggregation_window=1w&week_start=thursday&start_time=2025-03-06&end_time=2025-03-27';
    const first = await get(`/timeseries/market-data/XXBTZUSD?${q}&limit=3`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      symbol: 'BTC-USD-SPOT',
      exchange: 'kraken',
      aggregation_window: '1w',
      week_start: 'thursday',
      start_time: '2025-03-06T00:00:00.000Z',
      end_time: '2025-03-27T00:00:00.000Z',
      source_interval_minutes: 1440,
      count: 3,
      // The last week runs to 2025-04-03: covered and expected up to the end of the last closed day, 03-31.
      coverage: { covered_seconds: 26 * 86_400, expected_seconds: 26 * 86_400, open_gaps: 0 },
    });
    const week = (first.body.data as Array<Record<string, unknown>>)[0]!;
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => usd.get(day('2025-03-06') + i * 86_400)!);
    expect(week).toEqual({
      ts: day('2025-03-06'),
      time: '2025-03-06T00:00:00.000Z',
      open: days[0]![1],
      high: Math.max(...days.map((d) => d[2]!)),
      low: Math.min(...days.map((d) => d[3]!)),
      close: days[6]![4],
      volume: expect.closeTo(
        days.reduce((n, d) => n + d[5]!, 0),
        6,
      ),
      trades: days.reduce((n, d) => n + d[6]!, 0),
      vwap: null,
      candles: 7,
      complete: true,
      closed: true,
    });
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await get(`/timeseries/market-data/XXBTZUSD?${q}&limit=3&cursor=${String(first.body.next_cursor)}`);
    expect(second.body).toMatchObject({
      count: 1,
      next_cursor: null,
      data: [{ ts: day('2025-03-27'), candles: 5, complete: false, closed: false }],
    });

    const ohlcv = await get(`/timeseries/market-data/BTC-USD/ohlcv?${q}`);
    expect(ohlcv.body).toMatchObject({
      s: 'ok',
      t: [day('2025-03-06'), day('2025-03-13'), day('2025-03-20'), day('2025-03-27')],
      o: [week.open, expect.any(Number), expect.any(Number), expect.any(Number)],
      complete: [true, true, true, false],
      next_cursor: null,
    });
    const none = await get(
      '/timeseries/market-data/BTC-USD/ohlcv?start_time=2025-03-31T01:00&end_time=2025-03-31T02:00',
    );
    expect(none.body).toMatchObject({ s: 'no_data', t: [] });
  });

  it('/market-data/:symbol/latest: the last closed daily candle, 0 intervals behind; bad input is 400', async () => {
    const r = await get('/timeseries/market-data/XBTUSD/latest?interval=1440');
    expect(r).toMatchObject({
      status: 200,
      body: { symbol: 'BTC-USD-SPOT', interval: 1440, ts: day('2025-03-31'), intervals_behind: 0, stale: false },
    });
    expect((await get('/timeseries/market-data/XBTUSD/latest?interval=7')).status).toBe(400);
    expect((await get('/timeseries/market-data/XBTUSD?limit=5001')).status).toBe(400);
    expect((await get('/timeseries/market-data/compare?symbols=XBTUSD')).status).toBe(400);
  });

  it('typed errors answer their status with {error: {code, message}}', async () => {
    const expectError = async (path: string, status: number, code: string) => {
      const r = await get(path);
      expect({ status: r.status, code: (r.body as { error?: { code: string } }).error?.code }).toEqual({
        status,
        code,
      });
    };
    await expectError('/timeseries/market-data/DOGE-XYZ-SPOT', 404, 'UNKNOWN_SYMBOL');
    // Only daily series are held: no stored interval tiles an hour.
    await expectError('/timeseries/market-data/XBTUSD?aggregation_window=1h', 404, 'NO_SOURCE_SERIES');
    await expectError('/timeseries/market-data/XBTUSD?cursor=not-a-cursor', 400, 'INVALID_CURSOR');
    await expectError('/timeseries/market-data/XBTUSD/latest?interval=60', 404, 'NO_CLOSED_CANDLE');
    await expectError('/timeseries/market-data/XBTUSD?aggregation_window=2h', 400, 'BAD_REQUEST');
  });
});
