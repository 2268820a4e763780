import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AssetsSyncResult } from '../../src/assets/assets-sync.service';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { GapView } from '../../src/gaps/gaps.service';
import type { CompletenessReport } from '../../src/reports/completeness-report.service';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES, t, writePieces } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { ledgerProblems } from '../helpers/ledger-invariant';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

/**
 * The gap ledger (README "The ledger invariant", "No-trade is proven or
 * flagged"), run in-process through the CLI's own runner against the Kraken
 * test server serving the real archive rows.
 */
describe('the gap ledger', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let dir: string;
  let now: string;

  const env = (extra: Record<string, string> = {}) => krakenTestEnv(db.url, server.url, now, extra);
  /**
   * Runs a verb in-process; its exit code must be `code` (`done`: 0 or 1, it ran — rejects or partial fills are fine).
   */
  const cli = async <T>(args: string[], extra: Record<string, string> = {}, code: number | 'done' = 0): Promise<T> => {
    const r = await runCliInProcess([...args, '--json'], env(extra));
    const ok = code === 'done' ? r.code === 0 || r.code === 1 : r.code === code;
    expect({ args, ok, code: ok ? code : r.code, out: ok ? '' : r.stdout + r.stderr }).toEqual({
      args,
      ok: true,
      code,
      out: '',
    });
    return r.json<T>();
  };
  const gaps = async (kind = 'gap', status = 'all') =>
    (await cli<{ gaps: GapView[] }>(['gaps', '--status', status, '--kind', kind])).gaps;
  const brief = (g: GapView) => [
    g.symbol,
    g.interval,
    g.start_ts.slice(0, 16),
    g.end_ts.slice(0, 16),
    g.missing_intervals,
    g.status,
  ];
  const invariantHolds = async () => expect(await ledgerProblems(pg, t(now))).toEqual([]);
  /** A real archive member with the rows of [from, to) cut out (a hole inside one file), under dir/name/. */
  const cutFile = (name: string, member: string, from: number, to: number): string => {
    mkdirSync(join(dir, name), { recursive: true });
    const kept = readFileSync(join(FIXTURES, member), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => {
        const ts = Number(l.slice(0, l.indexOf(',')));
        return ts < from || ts >= to;
      });
    const file = join(dir, name, member);
    writeFileSync(file, kept.join('\n') + '\n');
    return file;
  };

  async function startAt(at: string): Promise<void> {
    now = at;
    await server?.close();
    server = await KrakenTestServer.start({ now: at });
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ck-ledger-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    await pg.end();
    await db.drop();
  });

  describe('incremental runs never lose a gap', () => {
    it(
      'the reproduction: a 162-candle gap straddling the incremental window is filled whole by its one OHLC request, ' +
        'nothing left unrecorded',
      async () => {
        await startAt('2025-04-01T00:00:00Z');
        const cut = join(dir, 'cut');
        writePieces(cut, 'XBTUSD_720.csv', [[0, t('2025-01-10')]]);
        writePieces(cut, 'XBTUSD_1440.csv', [[0, t('2026-01-01')]]);
        await cli<IngestResult>(['ingest', '--csv', cut, '--no-api']);
        expect((await gaps()).map(brief)).toEqual([
          ['BTC-USD-SPOT', 720, '2025-01-10T00:00', '2025-03-31T12:00', 162, 'DETECTED'],
        ]);
        await invariantHolds();

        server.resetCounters();
        const out = await cli<BackfillSummary>([
          'backfill',
          '--incremental',
          '--lookback-days',
          '7',
          '--intervals',
          '720',
        ]);
        expect(server.requestCount()).toBe(1);
        expect(out).toMatchObject({ gaps_filled: 1, api_calls: 1, total_candles_filled: 162 });
        expect((await gaps()).map(brief)).toEqual([
          ['BTC-USD-SPOT', 720, '2025-01-10T00:00', '2025-03-31T12:00', 162, 'FILLED'],
        ]);
        await invariantHolds();
        const report = await cli<CompletenessReport>(['report', '--intervals', '720']);
        expect(report.series.map((s) => [s.symbol, s.missing_intervals, s.open_gaps])).toEqual([
          ['BTC-USD-SPOT', 0, 0],
        ]);
      },
    );

    it(
      'a trades-fillable record straddling the incremental window is split there: the recent part filled, ' +
        'the rest keeps its record',
      async () => {
        // BTC-USD 60m held until 2020-11-20 and again from the OHLC window on; the recorded trades lie on 2020-12-05.
        await startAt('2021-01-10T00:30:00Z');
        const seed = new Seed(pg);
        const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
        await seed.coverage(usd, 60, '2020-11-01T00:00Z', '2020-11-20T00:00Z');
        await seed.coverage(usd, 60, '2020-12-11T01:00Z', '2021-01-09T23:00Z');
        // detection only: no call to spend
        await cli(['backfill', '--intervals', '60', '--max-calls', '0'], {}, 'done');
        expect((await gaps()).map(brief)).toEqual([
          ['BTC-USD-SPOT', 60, '2020-11-20T01:00', '2020-12-11T00:00', 504, 'DETECTED'],
        ]);
        const [original] = await gaps();

        const out = await cli<BackfillSummary>([
          'backfill',
          '--intervals',
          '60',
          '--incremental',
          '--lookback-days',
          '40',
        ]);
        expect(out).toMatchObject({ gaps_filled: 1 });
        // now − 40 d = 2020-12-01T00:30 → the split is at 01:00, the first whole candle from there.
        expect((await gaps()).map((g) => [g.id === original!.id, ...brief(g)])).toEqual([
          [true, 'BTC-USD-SPOT', 60, '2020-11-20T01:00', '2020-12-01T00:00', 264, 'DETECTED'],
          [false, 'BTC-USD-SPOT', 60, '2020-12-01T01:00', '2020-12-11T00:00', 240, 'FILLED'],
        ]);
        await invariantHolds();
      },
    );

    it(
      'a seeded sequence of ingests, detections, backfills, updates and cleanups over real archive pieces ' +
        'keeps the invariant after every step',
      async () => {
        // Deterministic pseudo-random (a fixed seed per run): the sequence is reproducible.
        for (const seedValue of [7, 1234]) {
          let state = seedValue;
          const rand = (n: number) => {
            state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
            return state % n;
          };
          await startAt('2025-04-01T00:30:00Z');
          const base = join(dir, `seq-${seedValue}`);
          const cuts = [
            t('2014-01-01'),
            t('2016-01-01'),
            t('2018-01-01'),
            t('2020-01-01'),
            t('2022-01-01'),
            t('2024-01-01'),
            t('2024-10-01'),
            t('2025-02-01'),
          ];
          const pieces: Array<[number, number]> = [];
          for (let i = 0; i < 6; i++) {
            const a = cuts[rand(cuts.length)]!;
            pieces.push([a, a + (30 + rand(700)) * 86_400]);
          }
          writePieces(join(base, 'usd720'), 'XBTUSD_720.csv', pieces);
          writePieces(join(base, 'usd1440'), 'XBTUSD_1440.csv', pieces.slice(0, 3));
          writePieces(join(base, 'cad1440'), 'XBTCAD_1440.csv', pieces.slice(2));
          const folders = [
            ...pieces.map((_, i) => join(base, 'usd720', `piece${i}`)),
            ...[0, 1, 2].map((i) => join(base, 'usd1440', `piece${i}`)),
            ...[0, 1, 2, 3].map((i) => join(base, 'cad1440', `piece${i}`)),
          ];
          const folder = () => folders[rand(folders.length)]!;
          const trades = () => ({ TRADES_BACKFILL: rand(2) ? 'on' : 'off' });
          const steps: Array<[string, () => string[], () => Record<string, string>]> = [
            ['ingest', () => ['ingest', '--csv', folder(), '--no-api'], () => ({})],
            [
              'ingest --incremental',
              () => [
                'ingest',
                '--csv',
                folder(),
                '--incremental',
                '--lookback-days',
                String(1 + rand(60)),
                '--max-calls',
                String(rand(3)),
              ],
              trades,
            ],
            [
              'backfill',
              () => ['backfill', '--tier', 'TIER1', '--intervals', '720,1440', '--max-calls', String(rand(4))],
              trades,
            ],
            [
              'backfill --incremental',
              () => [
                'backfill',
                '--tier',
                'TIER1',
                '--intervals',
                '720,1440',
                '--incremental',
                '--lookback-days',
                String(1 + rand(400)),
                '--max-calls',
                String(rand(3)),
              ],
              trades,
            ],
            ['update-market-data', () => ['update-market-data', '--categories', 'crypto', '--force'], () => ({})],
            ['cleanup', () => ['cleanup', '--days', '0'], () => ({})],
          ];
          const history: string[] = [];
          for (let i = 0; i < 14; i++) {
            const [name, args, extra] = steps[rand(steps.length)]!;
            const argv = args();
            history.push(`${name}: ${argv.join(' ')}`);
            // Exit 0 or 1 (rejected rows, partial fills): what is checked after each step is the invariant.
            await cli(argv, extra(), 'done');
            const problems = await ledgerProblems(pg, t(now));
            expect({ seed: seedValue, history, problems }).toEqual({ seed: seedValue, history, problems: [] });
          }
          // The sequence did real work: archive rows loaded, gaps recorded and some filled.
          const [{ candles, records, filled }] = (
            await pg.query(
              `SELECT (SELECT count(*)::int FROM candles) AS candles, ` +
                `(SELECT count(*)::int FROM gap_records) AS records,
                    (SELECT count(*)::int FROM gap_records WHERE status = 'FILLED') AS filled`,
            )
          ).rows as [{ candles: number; records: number; filled: number }];
          expect({ seed: seedValue, history, worked: candles > 0 && records > 0 && filled > 0 }).toEqual({
            seed: seedValue,
            history,
            worked: true,
          });
          await pg.query(
            `TRUNCATE gap_records, data_coverage_ranges, series, file_ingestion_records, ingestion_rejects, ` +
              `ingestion_jobs, candles RESTART IDENTITY CASCADE`,
          );
        }
      },
    );
  });

  describe('"no trades" is proven or flagged', () => {
    it(
      'another interval showing trades makes a missing candle suspect, ' +
        'even where the run rule would not (2024-03-31)',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        // A run rule so lenient it flags nothing: what is left is the cross-interval contradiction.
        await cli(
          ['ingest', '--csv', join(FIXTURES, 'XBTUSD_720.csv'), '--csv', join(FIXTURES, 'XBTUSD_1440.csv'), '--no-api'],
          { NO_TRADE_SUSPECT_TRADES: '100000000' },
        );
        const suspects = await gaps('suspect');
        expect(suspects.map((g) => [...brief(g), g.reason])).toEqual([
          [
            'BTC-USD-SPOT',
            1440,
            '2024-03-31T00:00',
            '2024-03-31T00:00',
            1,
            'SUSPECT',
            'no 1440m candle while the 720m candles of 2024-03-31T00:00:00.000Z hold 6623 trades',
          ],
        ]);
        // Suspects are covered spans: the ledger of uncovered ones is untouched by them.
        await invariantHolds();
        const report = await cli<CompletenessReport>(['report', '--intervals', '1440']);
        expect(
          report.series.map((s) => [s.interval, s.coverage_pct, s.missing_intervals, s.suspect_gaps, s.complete]),
        ).toEqual([[1440, 100, 0, 1, false]]);
      },
    );

    it(
      'a coarse candle with trades over a span ' + 'where every finer candle is missing flags the finer slots',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        // 2024-07-01's two 12-hour candles cut out of the 720 file (a hole inside it); the daily file keeps the day.
        const day = t('2024-07-01');
        const file = cutFile('fine', 'XBTUSD_720.csv', day, day + 86_400);
        await cli(['ingest', '--csv', join(FIXTURES, 'XBTUSD_1440.csv'), '--no-api'], {
          NO_TRADE_SUSPECT_TRADES: '100000000',
        });
        await cli(['ingest', '--csv', file, '--no-api'], { NO_TRADE_SUSPECT_TRADES: '100000000' });
        const suspects = (await gaps('suspect')).filter((g) => g.interval === 720);
        expect(suspects.map(brief)).toContainEqual([
          'BTC-USD-SPOT',
          720,
          '2024-07-01T00:00',
          '2024-07-01T12:00',
          2,
          'SUSPECT',
        ]);
        expect(suspects.find((g) => g.start_ts.startsWith('2024-07-01'))!.reason).toMatch(
          /^no 720m candle while the 1440m candle of 2024-07-01T00:00:00.000Z holds \d+ trades$/,
        );
      },
    );

    it(
      '120 candles cut out of a liquid series are suspect, then filled from the OHLC window: ' +
        'the report is complete only after',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        const from = t('2024-08-01');
        const to = from + 120 * 43_200;
        const file = cutFile('cut120', 'XBTUSD_720.csv', from, to);
        await cli(['ingest', '--csv', file, '--no-api']);
        const before = await cli<CompletenessReport>(['report', '--intervals', '720']);
        expect(before.series.map((s) => [s.coverage_pct, s.suspect_gaps, s.complete])).toEqual([
          [100, before.series[0]!.suspect_gaps, false],
        ]);
        expect((await gaps('suspect')).map(brief)).toContainEqual([
          'BTC-USD-SPOT',
          720,
          '2024-08-01T00:00',
          '2024-09-29T12:00',
          120,
          'SUSPECT',
        ]);

        server.resetCounters();
        const out = await cli<BackfillSummary>(['backfill', '--intervals', '720'], {}, 'done');
        expect(server.requestCount('OHLC')).toBe(1);
        expect(out.gaps_filled).toBeGreaterThanOrEqual(1);
        const cut = (await gaps('suspect')).find((g) => g.start_ts.startsWith('2024-08-01'))!;
        expect([cut.status, cut.candles_filled]).toEqual(['FILLED', 120]);
        const stored = await pg.query(
          `SELECT count(*)::int AS n FROM candles WHERE interval_minutes = 720 AND ts >= to_timestamp($1) ` +
            `AND ts < to_timestamp($2)`,
          [from, to],
        );
        expect(stored.rows[0].n).toBe(120);
        // The other suspects in the window (2024-03-31T12:00) are proven empty by Kraken's count-0 candles.
        const left = await gaps('suspect', 'open');
        expect(left.filter((g) => g.fillability === 'API_OHLC')).toEqual([]);
      },
    );

    it(
      'a file whose rows are 720 minutes apart under a 60-minute name fails as mislabelled: ' + 'no rows, no series',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        const mislabelled = join(dir, 'mislabelled');
        mkdirSync(mislabelled, { recursive: true });
        writeFileSync(join(mislabelled, 'XBTCAD_60.csv'), readFileSync(join(FIXTURES, 'XBTCAD_720.csv')));
        const out = await cli<IngestResult & { completeness: CompletenessReport['summary'] }>(
          ['ingest', '--csv', mislabelled, '--no-api'],
          {},
          1,
        );
        expect(out).toMatchObject({ files_failed: 1, rows_ingested: 0, series: [] });
        expect(out.rejects[0]!.reason).toBe(
          'file_failed: rows are 720 minutes apart, the name says 60: the file does not hold 60-minute candles',
        );
        expect(out.completeness.series).toBe(0);
        expect((await pg.query(`SELECT count(*)::int AS n FROM candles`)).rows[0].n).toBe(0);
        expect((await pg.query(`SELECT count(*)::int AS n FROM series`)).rows[0].n).toBe(0);
        expect((await pg.query(`SELECT count(*)::int AS n FROM gap_records`)).rows[0].n).toBe(0);
      },
    );
  });

  describe('windows, counts and replicas', () => {
    it(
      'a new series is expected over what the OHLC window reaches: no one-candle archive gap, ' + 'no download entry',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        const seed = new Seed(pg);
        await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
        const out = await cli<BackfillSummary>(
          ['backfill', '--symbols', 'BTC-USD', '--intervals', '60', '--max-calls', '0'],
          { TRADES_BACKFILL: 'off' },
          'done',
        );
        expect(out.download_list).toEqual([]);
        expect((await gaps()).map(brief)).toEqual([
          ['BTC-USD-SPOT', 60, '2025-03-02T01:00', '2025-03-31T23:00', 719, 'DETECTED'],
        ]);
        // --lookback-days still sets it: 40 days back, the older part is archive-only.
        await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER1' });
        const longer = await cli<BackfillSummary>(
          ['backfill', '--symbols', 'ETH-USD', '--intervals', '60', '--lookback-days', '40', '--max-calls', '0'],
          { TRADES_BACKFILL: 'off' },
          'done',
        );
        expect(longer.download_list.map((d) => [d.symbol, d.start_ts.slice(0, 16), d.end_ts.slice(0, 16)])).toEqual([
          ['ETH-USD-SPOT', '2025-02-20T01:00', '2025-03-02T00:00'],
        ]);
        await invariantHolds();
      },
    );

    it('ingest and report count the same series; a window never detected counts as missing', async () => {
      await startAt('2025-04-01T00:30:00Z');
      const out = await cli<IngestResult & { completeness: CompletenessReport['summary'] }>([
        'ingest',
        '--csv',
        join(FIXTURES, 'XBTCAD_1440.csv'),
        '--no-api',
      ]);
      const seed = new Seed(pg);
      // Expected by someone (e.g. a scheduled set), never detected: all of it missing.
      const eth = await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER1' });
      await seed.expect(eth, 1440, '2025-03-01T00:00Z');
      const report = await cli<CompletenessReport>(['report']);
      expect(out.completeness.series).toBe(1);
      expect(report.summary.series).toBe(2);
      expect(report.series.find((s) => s.symbol === 'ETH-USD-SPOT')).toMatchObject({
        missing_intervals: 31,
        coverage_pct: 0,
        open_gaps: 0,
        complete: false,
      });
      const again = await cli<IngestResult & { completeness: CompletenessReport['summary'] }>([
        'ingest',
        '--csv',
        join(FIXTURES, 'XBTCAD_1440.csv'),
        '--no-api',
      ]);
      expect(again.completeness).toEqual(report.summary);
    });

    it(
      'a FAILED gap waits for its retry time: a second run does not call again until then, ' +
        '--retry-failed forces it',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        const seed = new Seed(pg);
        const eth = await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER1' });
        // the test server has no daily ETH rows
        await seed.coverage(eth, 1440, '2025-01-01T00:00Z', '2025-02-28T00:00Z');
        server.resetCounters();
        await cli(['backfill', '--intervals', '1440'], {}, 1);
        expect(server.requestCount('OHLC')).toBe(1);
        const [failed] = await gaps();
        expect(failed).toMatchObject({ status: 'FAILED', attempts: 1, next_attempt_at: '2025-04-01T00:45:00.000Z' });
        const second = await cli<BackfillSummary>(['backfill', '--intervals', '1440'], {}, 1);
        expect(second).toMatchObject({ gaps_deferred: 1, api_calls: 0 });
        expect(server.requestCount('OHLC')).toBe(1);
        await cli(['backfill', '--intervals', '1440', '--retry-failed'], {}, 1);
        expect(server.requestCount('OHLC')).toBe(2);
        // Backoff doubles: 15 min after the first failure, 30 after the second.
        expect((await gaps())[0]).toMatchObject({
          status: 'FAILED',
          attempts: 2,
          next_attempt_at: '2025-04-01T01:00:00.000Z',
        });
      },
    );

    it(
      'assets sync makes archive-only what Kraken does not list: never sent to the API, said once; ' +
        'listed again, it returns',
      async () => {
        await startAt('2026-01-12T00:00:00Z');
        await cli(['ingest', '--csv', join(FIXTURES, 'aironav-bitcoin', 'STORJUSD_60.csv'), '--no-api']);
        const sync = await cli<AssetsSyncResult>(['assets', 'sync']); // the recorded 2026 listing has no STORJ/USD
        expect(sync.archive_only).toBeGreaterThanOrEqual(1);
        const storj = (await pg.query(`SELECT archive_only, active FROM assets WHERE symbol = 'STORJ-USD-SPOT'`))
          .rows[0];
        expect(storj).toEqual({ archive_only: true, active: true });
        server.resetCounters();
        const out = await cli<BackfillSummary>(['backfill', '--intervals', '60'], {}, 'done');
        expect(server.seriesRequestCount('STORJUSD')).toBe(0);
        expect(out.series_skipped_archive_only).toBe(1);
        await cli(['update-market-data', '--categories', 'crypto', '--force'], {}, 'done');
        expect(server.seriesRequestCount('STORJUSD')).toBe(0);
      },
    );
  });

  describe('verbs that manage the ledger', () => {
    it('gaps ignore keeps the record standing for its span, counted apart; reopen puts it back to work', async () => {
      await startAt('2025-04-01T00:30:00Z');
      writePieces(join(dir, 'ign'), 'XBTUSD_1440.csv', [
        [0, t('2020-01-01')],
        [t('2020-04-01'), t('2026-01-01')],
      ]);
      await cli(['ingest', '--csv', join(dir, 'ign'), '--no-api']);
      const [gap] = await gaps();
      expect(brief(gap!)).toEqual(['BTC-USD-SPOT', 1440, '2020-01-01T00:00', '2020-03-31T00:00', 91, 'DETECTED']);
      const bad = await runCliInProcess(['gaps', 'ignore', String(gap!.id), '--json'], env());
      expect(bad.code).toBe(2); // a reason is required
      const ignored = await cli<{ gaps: GapView[] }>([
        'gaps',
        'ignore',
        String(gap!.id),
        '--reason',
        'exchange closed',
      ]);
      expect(ignored.gaps.map((g) => [g.status, g.reason])).toEqual([['IGNORED', 'exchange closed']]);
      await invariantHolds();
      const report = await cli<CompletenessReport>(['report']);
      expect(report.series.find((s) => s.interval === 1440)).toMatchObject({
        open_gaps: 0,
        ignored_gaps: 1,
        ignored_intervals: 91,
        missing_intervals: 0,
      });
      // A backfill leaves it alone, a detection keeps it.
      await cli(['backfill', '--intervals', '1440', '--max-calls', '0'], {}, 'done');
      expect((await gaps()).map((g) => [g.id, g.status])).toEqual([[gap!.id, 'IGNORED']]);
      const reopened = await cli<{ gaps: GapView[] }>(['gaps', 'reopen', String(gap!.id)]);
      expect(reopened.gaps.map((g) => g.status)).toEqual(['DETECTED']);
      // DETECTED: nothing to reopen
      expect((await runCliInProcess(['gaps', 'reopen', String(gap!.id), '--json'], env())).code).toBe(2);
      expect((await runCliInProcess(['gaps', 'ignore', '999999', '--reason', 'x', '--json'], env())).code).toBe(2);
    });

    it(
      'series drop stops expecting a series: its coverage, gaps and (when asked) candles go; ' +
        'its files can be ingested again',
      async () => {
        await startAt('2025-04-01T00:30:00Z');
        await cli([
          'ingest',
          '--csv',
          join(FIXTURES, 'XBTCAD_1440.csv'),
          '--csv',
          join(FIXTURES, 'XBTCAD_720.csv'),
          '--no-api',
        ]);
        const dropped = await cli<{ coverage_ranges_deleted: number; candles_deleted: number }>([
          'series',
          'drop',
          'XBTCAD',
          '--interval',
          '720',
          '--delete-candles',
        ]);
        expect(dropped).toMatchObject({ coverage_ranges_deleted: 1, candles_deleted: 6937 });
        const list = await cli<{ series: Array<{ symbol: string; interval: number }> }>(['series']);
        expect(list.series.map((s) => [s.symbol, s.interval])).toEqual([['BTC-CAD-SPOT', 1440]]);
        expect(
          (await pg.query(`SELECT count(*)::int AS n FROM gap_records WHERE interval_minutes = 720`)).rows[0].n,
        ).toBe(0);
        await invariantHolds();
        const again = await cli<IngestResult>(['ingest', '--csv', join(FIXTURES, 'XBTCAD_720.csv'), '--no-api']);
        expect(again).toMatchObject({ files_ingested: 1, rows_ingested: 6937 });
        expect((await runCliInProcess(['series', 'drop', 'XBTCAD', '--interval', '60', '--json'], env())).code).toBe(2);
      },
    );

    it('assets deactivate and activate', async () => {
      await startAt('2025-04-01T00:30:00Z');
      await cli(['ingest', '--csv', join(FIXTURES, 'XBTCAD_1440.csv'), '--no-api']);
      expect(await cli(['assets', 'deactivate', 'BTC-CAD-SPOT'])).toEqual({
        symbol: 'BTC-CAD-SPOT',
        active: false,
        changed: true,
      });
      expect((await cli<CompletenessReport>(['report'])).summary.series).toBe(0);
      expect(await cli(['assets', 'deactivate', 'XBTCAD'])).toEqual({
        symbol: 'BTC-CAD-SPOT',
        active: false,
        changed: false,
      });
      expect(await cli(['assets', 'activate', 'XBT/CAD'])).toEqual({
        symbol: 'BTC-CAD-SPOT',
        active: true,
        changed: true,
      });
      expect((await runCliInProcess(['assets', 'activate', 'NOPE-USD-SPOT', '--json'], env())).code).toBe(2);
    });
  });
});
