import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import { CliResult, runCli } from '../helpers/cli';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';
import { krakenTestEnv } from '../helpers/kraken-env';

/** Kraken's XBTUSD/XBTCAD daily and 12-hour archives end 2025-03-31: "now" is just after. */
const NOW = '2025-04-01T00:30:00Z';
/** Each test spawns CLI processes: room for a loaded machine (no speed is asserted). */
const CLI_TEST_TIMEOUT = 180_000;
/** The series both processes compete for: the real archive samples the test server answers OHLC from. */
const SERIES = [
  { symbol: 'BTC-USD-SPOT', native: 'XXBTZUSD', altname: 'XBTUSD', interval: 1440, missing: 31 },
  { symbol: 'BTC-USD-SPOT', native: 'XXBTZUSD', altname: 'XBTUSD', interval: 720, missing: 62 },
  { symbol: 'BTC-CAD-SPOT', native: 'XXBTZCAD', altname: 'XBTCAD', interval: 1440, missing: 31 },
  { symbol: 'BTC-CAD-SPOT', native: 'XXBTZCAD', altname: 'XBTCAD', interval: 720, missing: 62 },
];

interface GapRow {
  symbol: string;
  interval: number;
  start: string;
  end: string;
  status: string;
  attempts: number;
  candles_filled: number;
  stored: number;
}

describe('two concurrent `candlekeep backfill` processes against the Kraken test server', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;

  const backfill = (): Promise<CliResult> =>
    runCli(
      ['backfill', '--tier', 'TIER1', '--intervals', '720,1440', '--json'],
      krakenTestEnv(db.url, server.url, NOW, { TRADES_BACKFILL: 'off' }),
    );

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
  });
  afterAll(() => server.close());
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

  async function seedSeries(withGaps: boolean): Promise<void> {
    const seed = new Seed(pg);
    const ids = new Map<string, number>();
    for (const s of SERIES) {
      const id = ids.get(s.symbol) ?? (await seed.asset(s.symbol, s.native, s.altname, { tier: 'TIER1' }));
      ids.set(s.symbol, id);
      // Held through February 2025; March is missing (inside the OHLC window of both intervals).
      await seed.coverage(
        id,
        s.interval,
        '2025-01-01T00:00Z',
        s.interval === 720 ? '2025-02-28T12:00Z' : '2025-02-28T00:00Z',
      );
      if (withGaps)
        await seed.gap(
          id,
          s.interval,
          '2025-03-01T00:00Z',
          s.interval === 720 ? '2025-03-31T12:00Z' : '2025-03-31T00:00Z',
          'DETECTED',
        );
    }
  }

  async function gapRows(): Promise<GapRow[]> {
    const { rows } = await pg.query<GapRow>(
      `SELECT a.symbol, g.interval_minutes AS interval, ` +
        `g.start_ts::text AS start, g.end_ts::text AS end, g.status, g.attempts,
              g.candles_filled::int AS candles_filled,
              (SELECT count(*)::int FROM candles c WHERE c.asset_id = g.asset_id ` +
        `AND c.interval_minutes = g.interval_minutes
                  AND c.ts BETWEEN g.start_ts AND g.end_ts) AS stored
         FROM gap_records g JOIN assets a ON a.id = g.asset_id
        ORDER BY a.symbol, g.interval_minutes, g.start_ts`,
    );
    return rows;
  }

  async function expectExactlyOnce(a: CliResult, b: CliResult): Promise<void> {
    expect([
      a.code,
      b.code,
      a.stderr.includes('rror') ? a.stderr : '',
      b.stderr.includes('rror') ? b.stderr : '',
    ]).toEqual([0, 0, '', '']);
    const [x, y] = [a.json<BackfillSummary>(), b.json<BackfillSummary>()];

    // Exactly one OHLC call per series, none repeated, and nothing else called.
    for (const s of SERIES)
      expect([s.altname, s.interval, server.seriesRequestCount(s.altname, s.interval)]).toEqual([
        s.altname,
        s.interval,
        1,
      ]);
    expect(server.requestCount()).toBe(SERIES.length);

    // One gap record per series, filled once: one attempt, candles counted once (equal to what is stored).
    const gaps = await gapRows();
    expect(gaps.map((g) => [g.symbol, g.interval, g.status, g.attempts, g.candles_filled])).toEqual(
      [...SERIES]
        .sort((p, q) => p.symbol.localeCompare(q.symbol) || p.interval - q.interval)
        .map((s) => [s.symbol, s.interval, 'FILLED', 1, s.missing]),
    );
    for (const g of gaps) expect(g.candles_filled).toBe(g.stored);

    // The two summaries add up to what happened.
    expect(x.api_calls + y.api_calls).toBe(SERIES.length);
    expect(x.gaps_filled + y.gaps_filled).toBe(SERIES.length);
    expect(x.total_candles_filled + y.total_candles_filled).toBe(gaps.reduce((n, g) => n + g.candles_filled, 0));
    expect(x.gaps_failed + y.gaps_failed + x.gaps_partial + y.gaps_partial).toBe(0);
    expect([x.series_processed, y.series_processed]).toEqual([SERIES.length, SERIES.length]);
    // Coverage is one merged range per series, through the last closed candle.
    const { rows } = await pg.query<{ n: number; e: string }>(
      `SELECT count(*)::int AS n, max(end_ts)::text AS e FROM data_coverage_ranges ` +
        `GROUP BY asset_id, interval_minutes ORDER BY 2`,
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1, 1]);
  }

  it(
    'with the gaps already recorded: one OHLC call per series, each gap filled once, summaries consistent',
    async () => {
      await seedSeries(true);
      server.delay('OHLC', 400); // each fill holds its series for a while, so the two runs overlap
      const [a, b] = await Promise.all([backfill(), backfill()]);
      await expectExactlyOnce(a, b);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'with the gaps still to detect (both processes detect the same new gaps at once): still exactly once',
    async () => {
      await seedSeries(false);
      server.delay('OHLC', 400);
      const [a, b] = await Promise.all([backfill(), backfill()]);
      await expectExactlyOnce(a, b);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'a backfill whose new gap records collide with the same ones just written by another process ' +
      'detects again and goes on',
    async () => {
      await seedSeries(false);
      const [{ id }] = (await pg.query<{ id: number }>(`SELECT id FROM assets WHERE symbol = 'BTC-USD-SPOT'`)).rows as [
        { id: number },
      ];
      // "Another process" records BTC-USD 720's new gap in a transaction still open while the backfill detects.
      const other = new Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(
          `INSERT INTO gap_records (asset_id, interval_minutes, start_ts, end_ts, ` +
            `missing_intervals, fillability, status)
         VALUES ($1, 720, '2025-03-01T00:00Z', '2025-03-31T12:00Z', 62, 'API_OHLC', 'DETECTED')`,
          [id],
        );
        const run = backfill();
        // Wait until the backfill's insert (its COPY) waits on ours (same open-gap key), then commit ours.
        for (let i = 0; ; i++) {
          const { rows } = await pg.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY gap_records%'`,
          );
          if (rows[0]!.n > 0) break;
          if (i > 2400) throw new Error('the backfill never reached its gap insert');
          await new Promise((r) => setTimeout(r, 25));
        }
        await other.query('COMMIT');
        const r = await run;
        expect(r.code).toBe(0);
        const out = r.json<BackfillSummary>(); // stdout is exactly one JSON object: no query error printed there
        expect(out).toMatchObject({ gaps_detected: 4, gaps_filled: 4, api_calls: 4, gaps_failed: 0 });
        for (const s of SERIES) expect(server.seriesRequestCount(s.altname, s.interval)).toBe(1);
        const gaps = await gapRows();
        expect(gaps.map((g) => [g.symbol, g.interval, g.status, g.attempts])).toEqual([
          ['BTC-CAD-SPOT', 720, 'FILLED', 1],
          ['BTC-CAD-SPOT', 1440, 'FILLED', 1],
          ['BTC-USD-SPOT', 720, 'FILLED', 1],
          ['BTC-USD-SPOT', 1440, 'FILLED', 1],
        ]);
      } finally {
        await other.end();
      }
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'a failure is retried by no replica before its retry time: two processes, six series, two failing — ' +
      'six OHLC calls, not eight',
    async () => {
      await seedSeries(true);
      // ETH-USD at 720 and 1440: the test server has no such candles, so its answer proves nothing and both gaps fail.
      const seed = new Seed(pg);
      const eth = await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER1' });
      for (const interval of [720, 1440]) {
        await seed.coverage(
          eth,
          interval,
          '2025-01-01T00:00Z',
          interval === 720 ? '2025-02-28T12:00Z' : '2025-02-28T00:00Z',
        );
        await seed.gap(
          eth,
          interval,
          '2025-03-01T00:00Z',
          interval === 720 ? '2025-03-31T12:00Z' : '2025-03-31T00:00Z',
          'DETECTED',
        );
      }
      server.delay('OHLC', 400);
      const [a, b] = await Promise.all([backfill(), backfill()]);
      // each run ends with failed gaps: its own, or the other's waiting for their retry time
      expect([a.code, b.code]).toEqual([1, 1]);
      expect(server.requestCount('OHLC')).toBe(6);
      expect(server.seriesRequestCount('ETHUSD', 720)).toBe(1);
      expect(server.seriesRequestCount('ETHUSD', 1440)).toBe(1);
      const failed = (await gapRows()).filter((g) => g.symbol === 'ETH-USD-SPOT');
      expect(failed.map((g) => [g.interval, g.status, g.attempts])).toEqual([
        [720, 'FAILED', 1],
        [1440, 'FAILED', 1],
      ]);
    },
    CLI_TEST_TIMEOUT,
  );
});
