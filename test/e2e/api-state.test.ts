import { Client } from 'pg';
import type { GapView } from '../../src/gaps/gaps.service';
import type { SymbolCoverage } from '../../src/reports/series-coverage.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { ingestReportScenario, REPORT_NOW } from '../helpers/report-scenario';
import { Seed } from '../helpers/seed';
import { exited, freePort, RunningServer, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/** Where the API's routes are: '/api/v1' once ApiModule sets the global prefix. */
const PREFIX = '/api/v1';

interface ErrorBody {
  error: { code: string; message: string };
}

/*
 * The read-only routes over the report scenario (real Kraken archive rows, test/helpers/report-scenario.ts): every
 * answer is the very object the CLI prints with --json for the same question.
 */
describe('HTTP API: series, coverage, gaps, report, assets (the built server, the CLI as the oracle)', () => {
  let db: TestDatabase;
  let pg: Client;
  let server: RunningServer;
  let base: string;
  const env = () => ({ DATABASE_URL: db.url, CANDLEKEEP_NOW: REPORT_NOW, LOG_LEVEL: 'error' });

  const get = async <T>(path: string, status = 200): Promise<T> => {
    const res = await fetch(`${base}${path}`);
    const body = (await res.json()) as T;
    expect({ path, status: res.status }).toEqual({ path, status });
    return body;
  };
  const cli = async <T>(args: string[]): Promise<T> => {
    const r = await runCliInProcess([...args, '--json'], env());
    expect(r.code).toBe(0);
    return r.json<T>();
  };
  const refused = async (path: string, status: number, code: string, message?: RegExp) => {
    const body = await get<ErrorBody>(path, status);
    expect(body).toEqual({ error: { code, message: expect.stringMatching(message ?? /./) } });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await ingestReportScenario(db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    // An inactive asset (left out of the active lists) and one IGNORED record (a ledger record, not an open one).
    const eth = await new Seed(pg).asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER2' });
    await pg.query(`UPDATE assets SET active = false WHERE id = $1`, [eth]);
    const [oldest] = (await cli<{ gaps: GapView[] }>(['gaps', '--symbols', 'BTC-USD'])).gaps;
    await cli(['gaps', 'ignore', String(oldest!.id), '--reason', 'exchange outage']);
    const port = await freePort();
    server = startServer({ ...env(), PORT: String(port), API_AUTH: 'off', SCHEDULES_ENABLED: 'false' });
    await waitForHealth(port, server);
    base = `http://127.0.0.1:${port}${PREFIX}`;
  }, 120_000);
  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    await pg?.end();
    await db?.drop();
  });

  it('GET /series is `series list --json`, filters and symbol aliases included', async () => {
    const all = await get<{ total: number; series: Array<{ symbol: string; interval: number }> }>('/series');
    expect(all).toEqual(await cli(['series', 'list']));
    expect(all.series.map((s) => [s.symbol, s.interval])).toEqual([
      ['BTC-CAD-SPOT', 1440],
      ['BTC-USD-SPOT', 1440],
      ['STORJ-USD-SPOT', 60],
    ]);
    const some = await get<{ total: number }>('/series?symbols=XBTUSD,STORJ-USD&intervals=1d');
    expect(some).toEqual(await cli(['series', 'list', '--symbols', 'BTC-USD-SPOT,STORJUSD', '--intervals', '1440']));
    expect(some.total).toBe(1);
  });

  it('GET /gaps is `gaps --json`, with the same filters (tier, symbols, intervals, status, kind)', async () => {
    const open = await get<{ total: number; gaps: GapView[] }>('/gaps');
    expect(open).toEqual(await cli(['gaps']));
    expect(open.gaps.some((g) => g.status === 'IGNORED')).toBe(false);
    const filtered = await get<{ gaps: GapView[] }>(
      '/gaps?tier=1&symbols=XBT/USD&intervals=1440&status=open,IGNORED&kind=gap',
    );
    expect(filtered).toEqual(
      await cli([
        'gaps',
        '--tier',
        'TIER1',
        '--symbols',
        'BTC-USD',
        '--intervals',
        '1d',
        '--status',
        'open,ignored',
        '--kind',
        'gap',
      ]),
    );
    expect(filtered.gaps.map((g) => [g.start_ts.slice(0, 10), g.status])).toEqual([
      ['2020-01-01', 'IGNORED'],
      ['2023-03-01', 'DETECTED'],
      ['2023-04-13', 'DETECTED'],
      ['2024-10-01', 'DETECTED'],
    ]);
    expect(await get('/gaps?status=all&kind=suspect')).toEqual(
      await cli(['gaps', '--status', 'all', '--kind', 'suspect']),
    );
  });

  it('GET /report is `report --json`, with tier, intervals, symbols and since', async () => {
    expect(await get('/report')).toEqual(await cli(['report']));
    const some = await get<{ since: string; series: Array<{ symbol: string }> }>(
      '/report?tier=TIER1&intervals=1d&since=2024-01-01',
    );
    expect(some).toEqual(await cli(['report', '--tier', '1', '--intervals', '1440', '--since', '2024-01-01']));
    expect([some.since, some.series.map((s) => s.symbol)]).toEqual([
      '2024-01-01T00:00:00.000Z',
      ['BTC-CAD-SPOT', 'BTC-USD-SPOT'],
    ]);
  });

  it('GET /assets is `assets list --json` (inactive=true: `--inactive`)', async () => {
    const active = await get<{ assets: Array<{ symbol: string }> }>('/assets');
    expect(active).toEqual(await cli(['assets', 'list']));
    const every = await get<{ assets: Array<{ symbol: string }> }>('/assets?inactive=true');
    expect(every).toEqual(await cli(['assets', 'list', '--inactive']));
    expect(every.assets.map((a) => a.symbol)).toEqual([...active.assets.map((a) => a.symbol), 'ETH-USD-SPOT'].sort());
    expect(await get('/assets?tier=TIER4&category=crypto')).toEqual(
      await cli(['assets', 'list', '--tier', 'TIER4', '--category', 'crypto']),
    );
  });

  it(
    'GET /series/:symbol/coverage: the coverage ranges and the ledger records (open and IGNORED) of each series, ' +
      'under any alias',
    async () => {
      const coverage = await get<SymbolCoverage>('/series/XXBTZUSD/coverage');
      expect(await get('/series/XBT%2FUSD/coverage?interval=1d')).toEqual(coverage);
      const { rows } = await pg.query<{ start_ts: Date; end_ts: Date; candle_count: number }>(
        `SELECT r.start_ts, r.end_ts, r.candle_count::int AS candle_count FROM data_coverage_ranges r ` +
          `JOIN assets a ON a.id = r.asset_id WHERE a.symbol = 'BTC-USD-SPOT' ORDER BY r.start_ts`,
      );
      const ledger = await cli<{ gaps: GapView[] }>(['gaps', '--symbols', 'BTC-USD', '--status', 'open,IGNORED']);
      const [listed] = (await cli<{ series: Array<{ expected_from: string }> }>(['series', 'list', 'BTC-USD'])).series;
      expect(coverage).toEqual({
        symbol: 'BTC-USD-SPOT',
        series: [
          {
            interval: 1440,
            expected_from: listed!.expected_from,
            covered: rows.map((r) => ({
              start_ts: r.start_ts.toISOString(),
              end_ts: r.end_ts.toISOString(),
              candles: r.candle_count,
              sources: ['csv'],
            })),
            gaps: ledger.gaps,
          },
        ],
      });
      // Four pieces of the archive, and between and around them the four gaps, the oldest ignored; the suspect
      // (2024-03-31, a day without a candle inside a piece) is a ledger record too.
      expect(coverage.series[0]!.covered.map((c) => [c.start_ts.slice(0, 10), c.end_ts.slice(0, 10)])).toEqual([
        ['2013-10-06', '2019-12-31'],
        ['2020-04-01', '2023-02-28'],
        ['2023-07-01', '2024-09-30'],
        ['2025-01-01', '2025-03-31'],
      ]);
      expect(coverage.series[0]!.gaps.map((g) => [g.kind, g.start_ts.slice(0, 10), g.status])).toEqual([
        ['gap', '2020-01-01', 'IGNORED'],
        ['gap', '2023-03-01', 'DETECTED'],
        ['gap', '2023-04-13', 'DETECTED'],
        ['suspect', '2024-03-31', 'SUSPECT'],
        ['gap', '2024-10-01', 'DETECTED'],
      ]);
    },
  );

  it('unknown symbols are 404 UNKNOWN_SYMBOL, a series not held 404, malformed parameters 400', async () => {
    await refused('/series/DOGE-EUR/coverage', 404, 'UNKNOWN_SYMBOL', /DOGE-EUR/);
    await refused('/series/%21%21/coverage', 404, 'UNKNOWN_SYMBOL');
    await refused('/series?symbols=BTC-USD,DOGE-EUR', 404, 'UNKNOWN_SYMBOL', /DOGE-EUR/);
    await refused('/gaps?symbols=DOGE-EUR', 404, 'UNKNOWN_SYMBOL');
    await refused('/report?symbols=DOGE-EUR', 404, 'UNKNOWN_SYMBOL');
    await refused('/series/BTC-USD/coverage?interval=60', 404, 'SERIES_NOT_FOUND', /BTC-USD-SPOT 60m/);
    await refused('/series/BTC-USD/coverage?interval=7', 400, 'USAGE', /^interval: "7" is not an interval/);
    await refused('/series?intervals=60,2h', 400, 'USAGE', /^intervals: "2h" is not an interval/);
    await refused('/gaps?status=BOGUS', 400, 'USAGE', /^status: "BOGUS" is not one of/);
    await refused('/gaps?tier=TIER9', 400, 'USAGE', /^tier: "TIER9"/);
    await refused('/report?since=yesterday', 400, 'USAGE', /^since: "yesterday" is not an ISO-8601 date/);
    await refused('/assets?category=art', 400, 'USAGE', /^category: "art"/);
    await refused('/assets?inactive=maybe', 400, 'BAD_REQUEST', /inactive/);
    await refused('/gaps?kind=hole', 400, 'BAD_REQUEST', /kind/);
    await refused('/gaps?colour=red', 400, 'BAD_REQUEST', /colour/);
  });
});
