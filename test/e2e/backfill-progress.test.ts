import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BackfillPlan } from '../../src/backfill/backfill.service';
import { runCli, runOnTty } from '../helpers/cli';
import { FIXTURES, t, writePieces } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

const NOW = '2025-04-01T00:30:00Z';
const DAY = 86_400;

/** Issue 14 row 2: what a backfill will cost before it runs, and how far it is while it runs. */
describe('backfill --dry-run estimates and the backfill progress', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let dir: string;
  const env = (extra: Record<string, string> = {}) => krakenTestEnv(db.url, server.url, NOW, extra);
  const state = async () =>
    (
      await pg.query<{ s: string }>(
        `SELECT (SELECT string_agg(id || status || start_ts || end_ts, ',' ORDER BY id) FROM gap_records) || '|' ||
                (SELECT string_agg(asset_id || ':' || interval_minutes || ':' || expected_from, ',' ORDER BY 1) ` +
          `FROM series) AS s`,
      )
    ).rows[0]!.s;

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dir = mkdtempSync(join(tmpdir(), 'ck-bf-progress-'));
    // The real daily archive with a 10-day hole in December 2020 (trades-fillable)
    // and its last days cut (OHLC-fillable).
    writePieces(dir, 'XBTUSD_1440.csv', [
      [0, t('2020-12-01')],
      [t('2020-12-11'), t('2025-03-20')],
    ]);
    const r = await runCli(['ingest', '--csv', dir, '--no-api', '--json'], env());
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    '--dry-run prints per series the gaps, ' +
      'the exact OHLC and estimated Trades requests and the time at KRAKEN_RPS; calls and writes nothing',
    async () => {
      await runCli(['backfill', '--max-calls', '0', '--json'], env()); // the records, detected once
      const before = await state();
      server.resetCounters();
      const r = await runCli(['backfill', '--dry-run', '--json'], env({ KRAKEN_RPS: '2' }));
      expect(r.code).toBe(0);
      const plan = r.json<BackfillPlan>();
      // the OHLC-window gaps and the December hole
      const open = (await runCli(['gaps', '--json'], env())).json<{ total: number }>().total;
      // The estimate's basis, from the archive rows themselves: the trades of the last 30 daily candles held.
      const rows = readFileSync(join(FIXTURES, 'XBTUSD_1440.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(',').map(Number));
      const recent = rows.filter((c) => c[0]! < t('2025-03-20') && c[0]! >= t('2025-03-20') - 30 * DAY);
      const perCandle = recent.reduce((n, c) => n + c[6]!, 0) / 30;
      const requests = Math.ceil((perCandle * 10) / 1000);
      expect(plan.series).toEqual([
        {
          symbol: 'BTC-USD-SPOT',
          interval: 1440,
          gaps: open,
          ohlc_requests: 1,
          trades_gaps: 1,
          trades_candles: 10,
          trades_requests: requests,
          trades_per_candle: Math.round(perCandle * 100) / 100,
          measured_on_interval: 1440,
          archive_only_gaps: 0,
          deferred: 0,
          seconds: (1 + requests) / 2,
        },
      ]);
      expect(plan.totals).toEqual({
        series_selected: 1,
        series_with_work: 1,
        gaps: open,
        ohlc_requests: 1,
        trades_requests: requests,
        trades_unknown: 0,
        requests: 1 + requests,
        seconds: (1 + requests) / 2,
        estimated: true,
      });
      expect(server.requestCount()).toBe(0);
      expect(await state()).toBe(before);

      const text = await runCli(['backfill', '--dry-run'], env());
      expect(text.stdout).toMatch(/^dry run: nothing called, nothing written\n/);
      expect(text.stdout).toContain(`1 OHLC request(s) + ~${requests} Trades request(s) = ~${requests + 1}`);
      expect(text.stdout).toMatch(/trades requests are estimates/);
      expect(server.requestCount()).toBe(0);
    },
  );

  it(
    'on a terminal a progress bar (series, gap, pages, candles, calls of the estimate, rate, ETA); off one, ' +
      'progress lines on stderr',
    async () => {
      const piped = await runCli(['backfill', '--max-calls', '1', '--json'], env({ LOG_LEVEL: 'info' }));
      expect(piped.stderr).toMatch(
        new RegExp(
          /series 1\/1 BTC-USD-SPOT 1440m \| \d gap\(s\) from the OHLC window \| pages 0 \| candles [\d,]+ /.source +
            /\| calls 1 of ~[\d,]+ \| [\d.]+ req\/s \| ETA /.source,
        ),
      );
      expect(piped.stderr).not.toContain('\u001b[');
      const tty = await runOnTty(['backfill', '--max-calls', '2'], env());
      expect(tty).toMatch(
        new RegExp(
          /backfill \[[^\]]*\] \d+% \| series 1\/1 BTC-USD-SPOT 1440m \| /.source +
            /gap \d+ 2020-12-01T00:00\.\.2020-12-10T00:00 from trades \| pages [12] \| candles [\d,]+ \| /.source +
            /calls [12] of ~[\d,]+ \| [\d.]+ req\/s \| ETA /.source,
        ),
      );
      expect(() => JSON.parse(piped.stdout)).not.toThrow(); // --json: still one object on stdout
    },
  );
});
