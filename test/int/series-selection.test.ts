import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { GapView } from '../../src/gaps/gaps.service';
import type { MarketDataUpdateResult } from '../../src/backfill/market-data-update.service';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import type { CompletenessReport } from '../../src/reports/completeness-report.service';
import type { ValidationResult } from '../../src/reports/staleness.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { ledgerProblems } from '../helpers/ledger-invariant';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

const NOW = '2025-04-01T00:30:00Z';
type ErrorOut = { error: { code: string; message: string } };

/**
 * Daily use: `--symbols` (any alias) on every verb that
 * selects series or files, and fills that never start series nobody asked for.
 */
describe('choosing what to fill: --symbols, and only the series held by default', () => {
  let db: TestDatabase;
  let pg: Client;
  let server: KrakenTestServer;
  let dir: string;
  const cli = (args: string[]) =>
    runCliInProcess([...args, '--json'], krakenTestEnv(db.url, server.url, NOW, { TRADES_BACKFILL: 'off' }));
  const expectedSeries = async () =>
    (
      await pg.query<{ s: string }>(
        `SELECT a.symbol || ' ' || s.interval_minutes AS s FROM series s JOIN assets a ON a.id = s.asset_id ` +
          `ORDER BY a.symbol, s.interval_minutes`,
      )
    ).rows.map((r) => r.s);

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dir = mkdtempSync(join(tmpdir(), 'ck-select-'));
    mkdirSync(join(dir, 'archive'));
    for (const f of ['XBTUSD_1440.csv', 'XBTCAD_720.csv']) copyFileSync(join(FIXTURES, f), join(dir, 'archive', f));
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'ingest --symbols loads only the named assets’ files; a named symbol with no file is said, ' +
      'not skipped silently',
    async () => {
      const archive = join(dir, 'archive');
      const none = await cli(['ingest', '--csv', archive, '--symbols', 'ETH-USD,XBTCAD', '--no-api']);
      expect(none.code).toBe(1);
      expect(none.json<ErrorOut>().error.message).toMatch(
        new RegExp(
          /^no file of ETH-USD-SPOT matched --symbols ETH-USD,XBTCAD /.source +
            /\(found 2 file\(s\) at interval\(s\) 720, 1440 of BTC-CAD-SPOT, BTC-USD-SPOT\)/.source,
        ),
      );
      const cad = await cli(['ingest', '--csv', archive, '--symbols', 'XBT/CAD', '--no-api']);
      expect(cad.code).toBe(0);
      expect(cad.json<IngestResult>()).toMatchObject({
        files_total: 1,
        series: [expect.objectContaining({ symbol: 'BTC-CAD-SPOT', interval: 720 })],
      });
      expect((await cli(['ingest', '--csv', archive, '--no-api'])).json<IngestResult>()).toMatchObject({
        files_total: 2,
        files_skipped: 1,
      });
      expect((await cli(['ingest', '--csv', archive, '--symbols', 'nonsense'])).code).toBe(2);
    },
  );

  it(
    'backfill fills the series held and starts none; named symbols with intervals start theirs; ' +
      'a named symbol with nothing held is a usage error',
    async () => {
      // An active asset nothing is held of: the old default started its 60 and 1440 series (and 60 for the others).
      await new Seed(pg).asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER1' });
      const held = await expectedSeries();
      expect(held).toEqual(['BTC-CAD-SPOT 720', 'BTC-USD-SPOT 1440']);
      const all = await cli(['backfill', '--max-calls', '0']);
      expect(all.json<BackfillSummary>()).toMatchObject({ series_processed: 2, api_calls: 0 });
      expect(await expectedSeries()).toEqual(held);
      // --intervals alone filters what is held, never starts series.
      const hourly = await cli(['backfill', '--intervals', '1h', '--max-calls', '0']);
      expect(hourly.json<BackfillSummary>()).toMatchObject({ series_processed: 0 });
      expect(await expectedSeries()).toEqual(held);
      expect(
        (
          await runCliInProcess(
            ['backfill', '--intervals', '60', '--max-calls', '0'],
            krakenTestEnv(db.url, server.url, NOW),
          )
        ).stdout,
      ).toMatch(/^job [0-9a-f-]{36}\nno held series selected .*--symbols BTC-USD --intervals 60,1440/);

      const notHeld = await cli(['backfill', '--symbols', 'ETH-USD']);
      expect(notHeld.code).toBe(2);
      expect(notHeld.json<ErrorOut>().error).toEqual({
        code: 'SERIES_SELECTION',
        message:
          'ETH-USD-SPOT: no series held; to start one, name its intervals: --symbols ETH-USD-SPOT --intervals 60,1440',
      });
      expect(server.requestCount()).toBe(0);

      const started = await cli(['backfill', '--symbols', 'XXBTZUSD', '--intervals', '12h']);
      expect(started.code).toBe(0);
      expect(started.json<BackfillSummary>()).toMatchObject({ series_processed: 1, gaps_filled: 1, api_calls: 1 });
      expect(server.seriesRequestCount('XBTUSD', 720)).toBe(1);
      expect(await expectedSeries()).toEqual(['BTC-CAD-SPOT 720', 'BTC-USD-SPOT 720', 'BTC-USD-SPOT 1440']);
      // Every alias names the same asset, once.
      const named = await cli(['backfill', '--symbols', 'BTC-USD,XBTUSD,XXBTZUSD', '--max-calls', '0']);
      expect(named.json<BackfillSummary>()).toMatchObject({ series_processed: 2, assets_processed: 1 });
      // Outside --tier: said, not an empty run.
      expect((await cli(['backfill', '--symbols', 'BTC-USD', '--tier', 'TIER4'])).json<ErrorOut>().error.message).toBe(
        'BTC-USD-SPOT is TIER1, not TIER4',
      );
    },
  );

  it(
    'gaps, report, validate and update-market-data take --symbols (any alias) ' + 'and show or touch only those series',
    async () => {
      const gaps = (await cli(['gaps', '--symbols', 'XBTCAD', '--status', 'all'])).json<{ gaps: GapView[] }>().gaps;
      expect(gaps.length).toBeGreaterThan(0);
      expect(new Set(gaps.map((g) => g.symbol))).toEqual(new Set(['BTC-CAD-SPOT']));

      const report = (await cli(['report', '--symbols', 'BTC-USD'])).json<CompletenessReport>();
      expect(report.series.map((s) => `${s.symbol} ${s.interval}`)).toEqual(['BTC-USD-SPOT 720', 'BTC-USD-SPOT 1440']);

      const validate = (await cli(['validate', '--symbols', 'XBT/CAD,ETHUSD'])).json<ValidationResult>();
      expect(validate.checked).toBe(1); // ETH-USD holds no series
      expect(validate.stale.every((s) => s.symbol === 'BTC-CAD-SPOT')).toBe(true);

      server.resetCounters();
      const update = await cli(['update-market-data', '--symbols', 'XBTUSD', '--force']);
      expect(update.json<MarketDataUpdateResult>().summary).toMatchObject({ total_failed: 0 });
      expect(
        server.requests.filter((r) => r.endpoint === 'OHLC').map((r) => `${r.params.pair} ${r.params.interval}`),
      ).toEqual(['XBTUSD 720', 'XBTUSD 1440']);
      const outside = await cli(['update-market-data', '--symbols', 'XBTUSD', '--categories', 'forex']);
      expect(outside.code).toBe(2);
      expect(outside.json<ErrorOut>().error.message).toBe('BTC-USD-SPOT (crypto): not among the categories forex');
      expect((await cli(['gaps', '--symbols', 'DOGE-EUR'])).json<ErrorOut>().error.code).toBe('UNKNOWN_SYMBOL');
    },
  );

  it(
    'backfill --from extends the expected window back, recorded: later runs keep expecting it; ' +
      'the ledger stays exact',
    async () => {
      const expectedFrom = async () =>
        (
          await pg.query<{ f: Date }>(
            `SELECT expected_from AS f FROM series s JOIN assets a ON a.id = s.asset_id ` +
              `WHERE a.symbol = 'BTC-CAD-SPOT' AND s.interval_minutes = 720`,
          )
        ).rows[0]!.f;
      const before = await expectedFrom();
      const from = new Date(before.getTime() - 30 * 86_400_000);
      const first = await cli([
        'backfill',
        '--symbols',
        'BTC-CAD',
        '--from',
        from.toISOString().slice(0, 10),
        '--max-calls',
        '0',
      ]);
      expect(first.code).toBe(0);
      expect((await expectedFrom()).toISOString()).toBe(`${from.toISOString().slice(0, 10)}T00:00:00.000Z`);
      const oldest = async () =>
        (await cli(['gaps', '--symbols', 'BTC-CAD', '--intervals', '720'])).json<{ gaps: GapView[] }>().gaps[0]!;
      const extension = await oldest();
      expect(extension).toMatchObject({
        start_ts: `${from.toISOString().slice(0, 10)}T00:00:00.000Z`,
        fillability: 'ARCHIVE_ONLY',
      });
      expect(Date.parse(extension.end_ts)).toBeLessThan(before.getTime());
      // A later run without --from keeps the window (and the record); a later --from never shrinks it.
      await cli(['backfill', '--symbols', 'BTC-CAD', '--max-calls', '0']);
      await cli(['backfill', '--symbols', 'BTC-CAD', '--from', before.toISOString(), '--max-calls', '0']);
      expect((await expectedFrom()).toISOString()).toBe(`${from.toISOString().slice(0, 10)}T00:00:00.000Z`);
      expect(await oldest()).toMatchObject({
        id: extension.id,
        start_ts: extension.start_ts,
        end_ts: extension.end_ts,
      });
      const [series] = (await cli(['series', '--symbols', 'BTC-CAD'])).json<{
        series: Array<{ expected_from: string }>;
      }>().series;
      expect(series!.expected_from).toBe(`${from.toISOString().slice(0, 10)}T00:00:00.000Z`);
      expect(await ledgerProblems(pg, Date.parse(NOW) / 1000)).toEqual([]);
    },
  );
});
