import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import { ohlcWindowStart } from '../../src/gaps/fillability';
import { KRAKEN_CAPABILITIES } from '../../src/sources/kraken/kraken-capabilities';
import type { GapView } from '../../src/gaps/gaps.service';
import type { JobDetail, JobSummary } from '../../src/ingestion/jobs.service';
import { runCli } from '../helpers/cli';
import { FIXTURES, t, writePieces } from '../helpers/ingest';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';
import { krakenTestEnv } from '../helpers/kraken-env';
import { storesUnderTest } from '../helpers/candle-stores';

/** Kraken's XBTUSD daily archive ends 2025-03-31 (Q1 2025): "now" is just after it. */
const NOW = '2025-04-01T00:30:00Z';

const STORES = storesUnderTest('gap ledger and backfill');
/** Far enough: every stored candle's open time is before it. */
const END_OF_TIME = t('2100-01-01');

describe.each(STORES)(
  'gap ledger and backfill against the Kraken test server (pinned now), candles in $kind',
  (store) => {
    let server: KrakenTestServer;
    let db: TestDatabase;
    let pg: Client;
    let dir: string;

    const env = (extra: Record<string, string> = {}) =>
      krakenTestEnv(db.url, server.url, NOW, { ...store.env(db), ...extra });
    const cli = (args: string[], extra: Record<string, string> = {}) => runCli([...args, '--json'], env(extra));
    const gaps = async (status = 'all', kind = 'gap') => {
      const r = await cli(['gaps', '--status', status, '--kind', kind]);
      expect(r.code).toBe(0);
      return r.json<{ gaps: GapView[] }>().gaps;
    };
    const span = (g: GapView) => [g.start_ts.slice(0, 10), g.end_ts.slice(0, 10), g.fillability];

    beforeAll(async () => {
      server = await KrakenTestServer.start({ now: NOW });
      dir = mkdtempSync(join(tmpdir(), 'ck-backfill-'));
      // Four pieces of the real daily archive: Q1 2020 missing long ago, 2023-03..06 missing across the OHLC
      // window's start, Q4 2024 missing recently.
      writePieces(join(dir, 'usd'), 'XBTUSD_1440.csv', [
        [0, t('2020-01-01')],
        [t('2020-04-01'), t('2023-03-01')],
        [t('2023-07-01'), t('2024-10-01')],
        [t('2025-01-01'), t('2026-01-01')],
      ]);
      writePieces(join(dir, 'cad'), 'XBTCAD_1440.csv', [
        [0, t('2024-10-01')],
        [t('2025-01-01'), t('2026-01-01')],
      ]);
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
      await store.drop(db);
      await db.drop();
    });

    it(
      'detects exactly the missing quarters, splits the one straddling the OHLC window, ' +
        'and none for no-trade days inside files',
      async () => {
        const r = await cli(['ingest', '--csv', join(dir, 'usd'), '--no-api']);
        expect(r.code).toBe(0);
        const out = r.json<BackfillSummary & { files_ingested: number }>();
        expect(out.files_ingested).toBe(4);
        expect(out.api_calls).toBe(0);
        expect(server.requestCount()).toBe(0);
        const windowStart = new Date(ohlcWindowStart(KRAKEN_CAPABILITIES, t(NOW), 1440) * 1000)
          .toISOString()
          .slice(0, 10);
        expect(windowStart).toBe('2023-04-13');
        expect((await gaps()).map(span)).toEqual([
          ['2020-01-01', '2020-03-31', 'API_TRADES'],
          ['2023-03-01', '2023-04-12', 'API_TRADES'],
          ['2023-04-13', '2023-06-30', 'API_OHLC'],
          ['2024-10-01', '2024-12-31', 'API_OHLC'],
        ]);
        // The archive lacks 2024-03-31 (no candle): inside a file's span it is covered, not a gap — but a liquid
        // market silent for a day is implausible, so it is a suspect, inside the OHLC window (one request verifies it).
        const g = await gaps();
        expect(g.every((x) => !(x.start_ts <= '2024-03-31' && x.end_ts >= '2024-03-31'))).toBe(true);
        expect((await gaps('all', 'suspect')).map((x) => [...span(x), x.status, x.reason])).toEqual([
          [
            '2024-03-31',
            '2024-03-31',
            'API_OHLC',
            'SUSPECT',
            expect.stringMatching(
              /^1 candle\(s\) missing in a row inside the file while the candles around hold ~\d+ trades each$/,
            ),
          ],
        ]);
        expect(g.map((x) => x.missing_intervals)).toEqual([91, 43, 79, 92]);
        expect(out.gaps_detected).toBe(4);

        // Detection again without change writes nothing.
        const before = (await pg.query(`SELECT xmin::text AS x, id FROM gap_records ORDER BY id`)).rows;
        const again = await cli(['ingest', '--csv', join(dir, 'usd'), '--no-api']);
        expect(again.json<{ files_skipped: number; rows_read: number }>()).toMatchObject({
          files_skipped: 4,
          rows_read: 0,
        });
        expect((await pg.query(`SELECT xmin::text AS x, id FROM gap_records ORDER BY id`)).rows).toEqual(before);
      },
    );

    it('with trades backfill off routes old gaps ARCHIVE_ONLY with the archive to download', async () => {
      const list = join(dir, 'download.csv');
      const r = await cli(['ingest', '--csv', join(dir, 'usd'), '--no-api', '--download-list', list], {
        TRADES_BACKFILL: 'off',
      });
      expect(r.code).toBe(0);
      const out = r.json<BackfillSummary>();
      expect(out.download_list).toEqual([
        {
          symbol: 'BTC-USD-SPOT',
          interval: 1440,
          start_ts: '2020-01-01T00:00:00.000Z',
          end_ts: '2020-03-31T00:00:00.000Z',
          archive_hint: 'XBTUSD_1440.csv in Kraken_OHLCVT_Q1_2020.zip',
        },
        {
          symbol: 'BTC-USD-SPOT',
          interval: 1440,
          start_ts: '2023-03-01T00:00:00.000Z',
          end_ts: '2023-04-12T00:00:00.000Z',
          archive_hint: 'XBTUSD_1440.csv in Kraken_OHLCVT_Q1_2023.zip, Kraken_OHLCVT_Q2_2023.zip',
        },
      ]);
      expect(readFileSync(list, 'utf8').split('\n')[1]).toBe(
        'BTC-USD-SPOT,1440,2020-01-01T00:00:00.000Z,2020-03-31T00:00:00.000Z,XBTUSD_1440.csv in ' +
          'Kraken_OHLCVT_Q1_2020.zip',
      );
      expect((await gaps()).map((g) => g.fillability)).toEqual([
        'ARCHIVE_ONLY',
        'ARCHIVE_ONLY',
        'API_OHLC',
        'API_OHLC',
      ]);
    });

    it('fills the OHLC-window gaps with exactly one OHLC request per series, then a re-run is a no-op', async () => {
      expect((await cli(['ingest', '--csv', join(dir, 'usd'), '--csv', join(dir, 'cad'), '--no-api'])).code).toBe(0);
      server.resetCounters();
      const r = await cli(['backfill', '--intervals', '1440', '--tier', 'TIER1'], { TRADES_BACKFILL: 'off' });
      const out = r.json<BackfillSummary>();
      expect(server.seriesRequestCount('XBTUSD', 1440)).toBe(1);
      expect(server.seriesRequestCount('XBTCAD', 1440)).toBe(1);
      expect(server.requestCount('OHLC')).toBe(2);
      expect(server.requestCount('Trades')).toBe(0);
      // Unfillable: the two old BTC-USD gaps, and BTC-CAD's suspect 2018-01-12
      // (Kraken's outage; its archive is the only source).
      expect(out).toMatchObject({ gaps_filled: 3, gaps_unfillable: 3, gaps_failed: 0, api_calls: 2 });
      expect(r.code).toBe(0);
      const filled = (await gaps('FILLED')).map((g) => [g.symbol, ...span(g), g.candles_filled]);
      expect(filled).toEqual([
        ['BTC-CAD-SPOT', '2024-10-01', '2024-12-31', 'API_OHLC', 92],
        ['BTC-USD-SPOT', '2023-04-13', '2023-06-30', 'API_OHLC', 79],
        ['BTC-USD-SPOT', '2024-10-01', '2024-12-31', 'API_OHLC', 92],
      ]);
      // The filled candles are Kraken's (served from the real archive), not made up, and the open one is not stored.
      const day = t('2024-11-05');
      const rows = (await store.readStored(db, 'BTC-USD-SPOT', 1440, { from: day, to: day })).map((c) => ({
        close: c.close,
        source: c.source,
      }));
      const archiveRow = readFileSync(join(FIXTURES, 'XBTUSD_1440.csv'), 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${t('2024-11-05')},`))!
        .split(',');
      expect(rows).toEqual([{ close: Number(archiveRow[4]), source: 'api' }]);
      for (const symbol of ['BTC-USD-SPOT', 'BTC-CAD-SPOT']) {
        expect(await store.readStored(db, symbol, 1440, { from: t('2025-04-01'), to: END_OF_TIME })).toEqual([]);
      }

      server.resetCounters();
      const rerun = await cli(['backfill', '--intervals', '1440', '--tier', 'TIER1'], { TRADES_BACKFILL: 'off' });
      expect(rerun.json<BackfillSummary>()).toMatchObject({ api_calls: 0, gaps_filled: 0 });
      expect(server.requestCount()).toBe(0);
      const reingest = await cli(['ingest', '--csv', join(dir, 'usd'), '--csv', join(dir, 'cad')], {
        TRADES_BACKFILL: 'off',
      });
      expect(reingest.json<{ rows_read: number; files_skipped: number; api_calls: number }>()).toMatchObject({
        rows_read: 0,
        files_skipped: 6,
        api_calls: 0,
      });
      expect(server.requestCount()).toBe(0);
    });

    it(
      'every backfill run is one job row (kind backfill, trigger cli): counts, calls, run time, outcome; ' +
        'listed by jobs list --kind',
      async () => {
        expect((await cli(['ingest', '--csv', join(dir, 'usd'), '--csv', join(dir, 'cad'), '--no-api'])).code).toBe(0);
        // Kraken down: the run throws (KRAKEN_UNREACHABLE), its gaps stay as they were,
        // its job is FAILED with the error.
        const down = await cli(['backfill', '--intervals', '1440'], {
          TRADES_BACKFILL: 'off',
          KRAKEN_API_URL: 'http://127.0.0.1:9',
          KRAKEN_MAX_RETRIES: '0',
          KRAKEN_UNREACHABLE_AFTER: '1',
        });
        expect(down.code).toBe(1);
        // One series' requests keep failing (1 try + 2 retries): work left undone, PARTIAL.
        server.fault('OHLC', { kind: 'http500', times: 3 });
        const short = await cli(['backfill', '--intervals', '1440'], { TRADES_BACKFILL: 'off' });
        expect(short.code).toBe(1);
        const r = await runCli(['backfill', '--intervals', '1440', '--retry-failed'], env({ TRADES_BACKFILL: 'off' }));
        expect(r.code).toBe(0);
        const jobId = /^job ([0-9a-f-]{36})$/m.exec(r.stdout)?.[1];
        expect(jobId).toBeDefined();

        const rows = await pg.query(
          `SELECT id, kind, trigger, task, status, ` +
            `gaps_detected::int, gaps_filled::int, gaps_unfillable::int, api_calls::int,
              duration_ms::int, error, result, finished_at IS NOT NULL AS finished
         FROM ingestion_jobs ORDER BY created_at`,
        );
        // The ingest's own detection is part of its ingest job: no second row for it.
        expect(rows.rows.map((j) => [j.kind, j.trigger, j.task, j.status])).toEqual([
          ['ingest', 'cli', null, 'COMPLETED'],
          ['backfill', 'cli', null, 'FAILED'],
          ['backfill', 'cli', null, 'PARTIAL'],
          ['backfill', 'cli', null, 'COMPLETED'],
        ]);
        const [, failed, partial, done] = rows.rows;
        expect(failed.error).toMatch(/Kraken unreachable/);
        expect(failed.result).toBeNull();
        expect(partial).toMatchObject({ api_calls: 4, finished: true });
        expect(partial.result).toMatchObject({ gaps_failed: 1, api_calls: 4 });
        const summary = done.result as BackfillSummary;
        expect(done.id).toBe(jobId);
        expect(summary.gaps_filled).toBeGreaterThan(0);
        expect(done).toMatchObject({
          gaps_detected: summary.gaps_detected,
          gaps_filled: summary.gaps_filled + summary.gaps_verified_empty,
          gaps_unfillable: summary.gaps_unfillable,
          api_calls: summary.api_calls,
          finished: true,
          error: null,
        });
        for (const j of [failed, partial, done]) expect(j.duration_ms).toBeGreaterThan(0);

        // --json carries the job id beside the summary's own fields.
        expect(short.json<BackfillSummary & { job_id: string }>()).toMatchObject({
          job_id: partial.id,
          gaps_failed: 1,
        });
        const backfills = await cli(['jobs', 'list', '--kind', 'backfill']);
        expect(backfills.code).toBe(0);
        const listed = backfills.json<{ jobs: JobSummary[] }>().jobs;
        expect(listed.map((j) => [j.job_id, j.kind, j.trigger, j.status])).toEqual([
          [done.id, 'backfill', 'cli', 'COMPLETED'],
          [partial.id, 'backfill', 'cli', 'PARTIAL'],
          [failed.id, 'backfill', 'cli', 'FAILED'],
        ]);
        expect(listed[0]).toMatchObject({ api_calls: summary.api_calls, duration_ms: done.duration_ms });
        const ingests = (await cli(['jobs', 'list', '--kind', 'ingest'])).json<{ jobs: JobSummary[] }>().jobs;
        expect(ingests.map((j) => j.kind)).toEqual(['ingest']);
        const show = (await cli(['jobs', 'show', done.id.slice(0, 8)])).json<JobDetail>();
        expect(show).toMatchObject({
          job_id: done.id,
          trigger: 'cli',
          task: null,
          duration_ms: done.duration_ms,
          result: summary,
        });
        const bad = await cli(['jobs', 'list', '--kind', 'defrag']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('ingest, backfill');
        // Only ingest jobs resume: a backfill is run again (its gaps and cursors say where it stopped).
        const resume = await cli(['jobs', 'resume', partial.id]);
        expect(resume.code).toBe(2);
        expect(resume.json<{ error: { code: string; message: string } }>().error).toMatchObject({
          code: 'JOB_NOT_RESUMABLE',
          message: expect.stringContaining('only ingest jobs resume; run candlekeep backfill again'),
        });
      },
    );

    it(
      'ends rate-limit faults recovered and a series whose API keeps failing FAILED, ' + 'the others going on (exit 1)',
      async () => {
        expect((await cli(['ingest', '--csv', join(dir, 'usd'), '--csv', join(dir, 'cad'), '--no-api'])).code).toBe(0);
        server.resetCounters();
        // BTC-CAD-SPOT comes first: its request meets a rate limit twice (recovered by the client's retries) ...
        server.fault('OHLC', { kind: 'rate-limit', times: 2 });
        const ok = await cli(['backfill', '--intervals', '1440'], { TRADES_BACKFILL: 'off' });
        expect(ok.code).toBe(0);
        // api_calls counts every request sent: the two retries too.
        expect(ok.json<BackfillSummary>()).toMatchObject({ gaps_filled: 3, gaps_failed: 0, api_calls: 4 });
        expect(server.requestCount('OHLC')).toBe(4);

        // ... while 5xx beyond the retry budget fails only that series (on a fresh database).
        const freshDb = await createTestDatabase();
        try {
          const env2 = { DATABASE_URL: freshDb.url, ...store.env(freshDb) };
          expect(
            (await cli(['ingest', '--csv', join(dir, 'usd'), '--csv', join(dir, 'cad'), '--no-api'], env2)).code,
          ).toBe(0);
          server.resetCounters();
          server.fault('OHLC', { kind: 'http500', times: 3 }); // 1 try + 2 retries, all for the first series
          const r = await cli(['backfill', '--intervals', '1440'], { TRADES_BACKFILL: 'off', ...env2 });
          expect(r.code).toBe(1);
          expect(r.json<BackfillSummary>()).toMatchObject({ gaps_failed: 1, gaps_filled: 2 });
          const all = (
            await runCli(
              ['gaps', '--status', 'all', '--kind', 'gap', '--json'],
              env({ TRADES_BACKFILL: 'off', ...env2 }),
            )
          ).json<{ gaps: GapView[] }>().gaps;
          const cad = all.filter((g) => g.symbol === 'BTC-CAD-SPOT');
          expect(cad.map((g) => g.status)).toEqual(['FAILED']);
          expect(cad[0]!.last_error).toMatch(/500/);
          expect(
            all.filter((g) => g.symbol === 'BTC-USD-SPOT' && g.fillability === 'API_OHLC').map((g) => g.status),
          ).toEqual(['FILLED', 'FILLED']);
        } finally {
          await store.drop(freshDb);
          await freshDb.drop();
        }
      },
    );

    describe('trades backfill', () => {
      /** BTC-USD 60m held around 2020-12-05 15:00..17:00 (UTC), which is far outside the 720-hour OHLC window. */
      const holdAround = async () => {
        const asset = await pg.query(
          `INSERT INTO assets (symbol, base, quote, native_symbol, altname, tier) ` +
            `VALUES ('BTC-USD-SPOT', 'BTC', 'USD', 'XXBTZUSD', 'XBTUSD', 'TIER1') RETURNING id`,
        );
        const id = asset.rows[0].id;
        await pg.query(
          `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts, sources) VALUES
           ($1, 60, '2020-12-05T00:00Z', '2020-12-05T14:00Z', '{csv}'),
           ($1, 60, '2020-12-05T18:00Z', '2025-03-31T23:00Z', '{csv}')`,
          [id],
        );
        return id as number;
      };

      it(
        'rebuilds candles equal to Kraken’s own, ' + 'stops cleanly on the budget and resumes from its cursor',
        async () => {
          await holdAround();
          const first = await cli(['backfill', '--intervals', '60', '--max-calls', '1']);
          expect(first.code).toBe(1);
          expect(first.json<BackfillSummary>()).toMatchObject({ gaps_detected: 1, gaps_partial: 1, api_calls: 1 });
          const [partial] = await gaps();
          expect(partial).toMatchObject({ status: 'PARTIAL', fillability: 'API_TRADES' });
          const cursor = (await pg.query(`SELECT cursor FROM gap_records WHERE id = $1`, [partial!.id])).rows[0]
            .cursor as string;
          // Checkpointed at the start of the hour still being built (17:00), one nanosecond before it.
          expect(cursor).toBe((BigInt(t('2020-12-05T17:00:00Z')) * 1_000_000_000n - 1n).toString());

          const tradesBefore = server.requests.filter((q) => q.endpoint === 'Trades').length;
          const second = await cli(['backfill', '--intervals', '60']);
          expect(second.code).toBe(0);
          expect(second.json<BackfillSummary>()).toMatchObject({ gaps_filled: 1, api_calls: 1 });
          const resumed = server.requests.filter((q) => q.endpoint === 'Trades').slice(tradesBefore);
          expect(resumed.map((q) => q.params.since)).toEqual([cursor]);

          const kraken = JSON.parse(
            readFileSync(join(FIXTURES, '..', 'api', 'ohlc_XXBTZUSD_60m_2020-12-05.json'), 'utf8'),
          ).result.XXBTZUSD as Array<[number, string, string, string, string, string, string, number]>;
          const hour = t('2020-12-05T16:00:00Z');
          const theirs = kraken.find((k) => k[0] === hour)!;
          const rows = await store.readStored(db, 'BTC-USD-SPOT', 60, { from: hour, to: hour });
          expect(rows).toHaveLength(1);
          const mine = rows[0]!;
          expect([mine.open, mine.high, mine.low, mine.close, mine.trades, mine.source]).toEqual([
            Number(theirs[1]),
            Number(theirs[2]),
            Number(theirs[3]),
            Number(theirs[4]),
            theirs[7],
            'trades',
          ]);
          expect(Math.abs(mine.volume - Number(theirs[6]))).toBeLessThan(1e-9);
          const ranges = await pg.query(
            `SELECT start_ts, end_ts, sources FROM data_coverage_ranges WHERE interval_minutes = 60`,
          );
          expect(ranges.rows).toEqual([
            {
              start_ts: new Date('2020-12-05T00:00Z'),
              end_ts: new Date('2025-03-31T23:00Z'),
              sources: ['csv', 'trades'],
            },
          ]);
        },
      );

      it(
        '--to fills nothing after it: the record is split there, ' +
          'its later part left as detected (the ledger still covers it)',
        async () => {
          await holdAround();
          const r = await cli(['backfill', '--symbols', 'XBTUSD', '--to', '2020-12-05T15:59:59Z']);
          expect(r.code).toBe(0);
          expect(r.json<BackfillSummary>()).toMatchObject({ gaps_filled: 1, total_candles_filled: 1 });
          expect((await gaps()).map((g) => [g.start_ts.slice(0, 16), g.end_ts.slice(0, 16), g.status])).toEqual([
            ['2020-12-05T15:00', '2020-12-05T15:00', 'FILLED'],
            ['2020-12-05T16:00', '2020-12-05T17:00', 'DETECTED'],
          ]);
          expect(
            await store.readStored(db, 'BTC-USD-SPOT', 60, {
              from: t('2020-12-05T16:00:00Z'),
              to: t('2020-12-05T17:00:00Z'),
            }),
          ).toEqual([]);
          const usage = await cli(['backfill', '--from', '2021-01-01', '--to', '2020-01-01']);
          expect([usage.code, usage.json<{ error: { message: string } }>().error.message]).toEqual([
            2,
            '--from 2021-01-01T00:00:00.000Z is after --to 2020-01-01T00:00:00.000Z',
          ]);
        },
      );
    });
  },
);
