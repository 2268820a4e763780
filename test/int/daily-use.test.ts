import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import type { JobDetail } from '../../src/ingestion/jobs.service';
import { CliResult } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES } from '../helpers/ingest';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const NOW = '2025-04-01T00:30:00Z';
type ErrorOut = { error: { code: string; message: string } };

/** Daily use: fail fast and clearly, say what a file is, name what was asked and not found. */
describe('daily use: clear answers to ordinary mistakes', () => {
  let db: TestDatabase;
  let dir: string;
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
    runCliInProcess([...args, '--json'], { DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW, ...extra });
  const file = (rel: string, text: string): string => {
    const path = join(dir, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const jobCount = async (): Promise<number> => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM ingestion_jobs')).rows[0]!.n);
    } finally {
      await c.end();
    }
  };
  const krakenRows = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').trim().split('\n');

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-daily-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a header line is recognised, skipped and reported once; every data row is kept', async () => {
    const rows = krakenRows('XBTUSD_720.csv').slice(0, 50);
    const path = file('header/XBTUSD_720.csv', ['time,open,high,low,close,volume,trades', ...rows].join('\n') + '\n');
    const r = await run(['ingest', '--csv', path, '--no-api']);
    expect(r.code).toBe(0);
    expect(r.json<IngestResult>()).toMatchObject({
      rows_read: 50,
      rows_ingested: 50,
      rows_rejected: 0,
      headers_skipped: [path],
      reject_summary: [],
    });
    const text = await runCliInProcess(
      [
        'ingest',
        '--csv',
        file('header2/XBTUSD_1440.csv', 'Time,Open,High,Low,Close,Volume,Count\n1672531200,1,1,1,1,1,1\n'),
        '--no-api',
      ],
      {
        DATABASE_URL: db.url,
        CANDLEKEEP_NOW: NOW,
      },
    );
    expect(text.stdout.match(/header: skipped/g)).toHaveLength(1);
  });

  it('a header anywhere but the first line is a rejected row, not skipped', async () => {
    const rows = krakenRows('XBTUSD_720.csv').slice(100, 110);
    const path = file(
      'mid/XBTUSD_720.csv',
      [rows[0], 'time,open,high,low,close,volume,trades', ...rows.slice(1)].join('\n') + '\n',
    );
    const out = (await run(['ingest', '--csv', path, '--no-api'])).json<IngestResult>();
    expect(out).toMatchObject({ rows_ingested: 10, rows_rejected: 1, headers_skipped: [] });
    expect(out.reject_summary).toEqual([expect.objectContaining({ file: path, count: 1, first_lines: [2] })]);
  });

  it(
    'rejects are summarised per reason with count, first lines and ISO time; ' +
      'a foreign shape says what it looks like',
    async () => {
      // The shape of a Kraken trades CSV (time,price,volume) under an OHLCVT name.
      const trades = Array.from({ length: 300 }, (_, i) => `${1672531200 + i * 7},16530.${i % 10},0.0${(i % 9) + 1}`);
      const path = file('foreign/BCHEUR_60.csv', trades.join('\n') + '\n');
      const r = await run(['ingest', '--csv', path, '--no-api']);
      expect(r.code).toBe(1);
      const out = r.json<IngestResult>();
      expect(out.files_failed).toBe(1);
      expect(out.reject_summary).toEqual([
        {
          file: path,
          reason: 'field_count',
          count: 300,
          first_lines: [1, 2, 3],
          first_time: '2023-01-01T00:00:00.000Z',
        },
      ]);
      const detail = (await run(['jobs', 'show', out.job_id])).json<JobDetail>();
      expect(detail.files[0]!.error).toMatch(
        /— 3 columns in every row: a Kraken trades CSV \(time,price,volume\), not OHLCVT/,
      );

      const text = (
        await runCliInProcess(['ingest', '--csv', path, '--no-api'], { DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW })
      ).stdout;
      expect(text.match(/field_count/g)).toHaveLength(1);
      expect(text).toContain('field_count ×300 (lines 1, 2, 3, …; first 2023-01-01T00:00:00.000Z)');
    },
  );

  it('rows with different problems are one summary line per reason', async () => {
    const rows = krakenRows('XBTUSD_720.csv').slice(200, 220);
    rows[3] = rows[3]!.replace(/^\d+/, 'noon');
    rows[7] = rows[7]!.split(',').slice(0, 5).join(',');
    rows[9] = rows[9]!.split(',').slice(0, 5).join(',');
    const path = file('mixed/XBTUSD_720.csv', rows.join('\n') + '\n');
    const out = (await run(['ingest', '--csv', path, '--no-api'])).json<IngestResult>();
    expect(out.rows_rejected).toBe(3);
    expect(out.reject_summary.map((s) => [s.reason.split(':')[0], s.count, s.first_lines])).toEqual([
      ['bad_timestamp', 1, [4]],
      ['field_count', 2, [8, 10]],
    ]);
  });

  it(
    'an explicit --csv file whose name does not parse is a usage error (exit 2) naming it; ' + 'no job starts',
    async () => {
      const path = file('names/bitcoin-hourly.csv', krakenRows('XBTUSD_720.csv').slice(0, 3).join('\n'));
      const before = await jobCount();
      const r = await run(['ingest', '--csv', path, '--no-api']);
      expect(r.code).toBe(2);
      expect(r.json<ErrorOut>().error).toEqual({ code: 'ARCHIVE_NAME', message: expect.stringContaining(path) });
      expect(await jobCount()).toBe(before);
    },
  );

  it('--intervals or --tier matching no file found: says what was found instead, exit 1', async () => {
    const a = file('sel/XBTUSD_720.csv', krakenRows('XBTUSD_720.csv').slice(0, 3).join('\n'));
    file('sel/XBTUSD_1440.csv', krakenRows('XBTUSD_1440.csv').slice(0, 3).join('\n'));
    const r = await run(['ingest', '--csv', join(a, '..'), '--intervals', '60', '--no-api']);
    expect(r.code).toBe(1);
    expect(r.json<ErrorOut>().error).toEqual({
      code: 'NOTHING_MATCHED',
      message: 'no file matched --intervals 60 (found 2 file(s) at interval(s) 720, 1440)',
    });
  });

  it(
    'Kraken not answering at all stops the run after KRAKEN_UNREACHABLE_AFTER network failures in a row, ' +
      'gaps untouched (exit 1)',
    async () => {
      const own = await createTestDatabase();
      // Accepts every connection and closes it at once: a network failure per request, and a count of requests.
      let connections = 0;
      const dead = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
      try {
        const env = { DATABASE_URL: own.url, CANDLEKEEP_NOW: NOW };
        const cut = (name: string) =>
          krakenRows(name).filter((l) => Number(l.split(',')[0]) < Date.parse('2025-03-20T00:00:00Z') / 1000);
        const a = file('unreachable/XBTUSD_720.csv', cut('XBTUSD_720.csv').join('\n') + '\n');
        file('unreachable/XBTUSD_1440.csv', cut('XBTUSD_1440.csv').join('\n') + '\n');
        expect((await runCliInProcess(['ingest', '--csv', join(a, '..'), '--no-api', '--json'], env)).code).toBe(0);
        const gaps = async () => {
          const c = new Client({ connectionString: own.url });
          await c.connect();
          try {
            return (await c.query('SELECT id, status, attempts, cursor, last_error FROM gap_records ORDER BY id')).rows;
          } finally {
            await c.end();
          }
        };
        const before = await gaps();
        expect(before.length).toBeGreaterThanOrEqual(2); // the two trailing gaps at least, both series

        const r = await runCliInProcess(['backfill', '--intervals', '720,1440', '--json'], {
          ...env,
          KRAKEN_API_URL: url,
          KRAKEN_UNREACHABLE_AFTER: '3',
          KRAKEN_MAX_RETRIES: '5',
          KRAKEN_BACKOFF_BASE_MS: '1',
          KRAKEN_BACKOFF_MAX_MS: '5',
        });
        expect(r.code).toBe(1);
        expect(r.json<ErrorOut>().error).toMatchObject({
          code: 'KRAKEN_UNREACHABLE',
          message: expect.stringContaining(`Kraken unreachable at ${url}: 3 network failure(s) in a row`),
        });
        expect(connections).toBe(3); // not 6 attempts for each series
        expect(await gaps()).toEqual(before);

        // update-market-data stops the same way instead of failing every series in turn.
        connections = 0;
        const text = await runCliInProcess(['update-market-data', '--categories', 'crypto', '--force'], {
          ...env,
          KRAKEN_API_URL: url,
          KRAKEN_UNREACHABLE_AFTER: '2',
          KRAKEN_BACKOFF_BASE_MS: '1',
          KRAKEN_BACKOFF_MAX_MS: '5',
        });
        expect(text.code).toBe(1);
        expect(text.stderr).toContain(`Kraken unreachable at ${url}: 2 network failure(s) in a row`);
        expect(connections).toBe(2);
      } finally {
        await new Promise((resolve) => dead.close(resolve));
        await own.drop();
      }
    },
  );

  it(
    'assets list and series list: what is held, with candle counts, no-trade candles, ' +
      'coverage as the report has it; table, json, csv',
    async () => {
      const own = await createTestDatabase();
      try {
        const env = { DATABASE_URL: own.url, CANDLEKEEP_NOW: NOW };
        const cli = (args: string[]) => runCliInProcess(args, env);
        const path = join(FIXTURES, 'XBTUSD_1440.csv');
        expect(
          (await cli(['ingest', '--csv', path, '--csv', join(FIXTURES, 'XBTCAD_720.csv'), '--no-api', '--json'])).code,
        ).toBe(0);

        type Series = {
          symbol: string;
          interval: number;
          candles: number;
          covered_candles: number;
          expected_candles: number;
          no_trade_candles: number;
          missing_candles: number;
          coverage_pct: number;
          open_gaps: number;
          suspect_gaps: number;
          sources: string[];
        };
        const listed = (await cli(['series', '--symbols', 'BTC-USD', '--intervals', '1d', '--json'])).json<{
          total: number;
          series: Series[];
        }>();
        expect(listed.total).toBe(1);
        const [btc] = listed.series;
        const candles = krakenRows('XBTUSD_1440.csv').length;
        expect(btc).toMatchObject({ symbol: 'BTC-USD-SPOT', interval: 1440, candles, sources: ['csv'] });
        expect(btc!.no_trade_candles).toBe(btc!.covered_candles - candles);
        expect(btc!.no_trade_candles).toBeGreaterThan(0); // 2024-03-31, which the 720 file contradicts: a suspect
        expect(btc!.expected_candles).toBe(btc!.covered_candles + btc!.missing_candles);
        const report = (await cli(['report', '--intervals', '1440', '--json'])).json<{
          series: Array<{
            symbol: string;
            coverage_pct: number;
            open_gaps: number;
            suspect_gaps: number;
            missing_intervals: number;
          }>;
        }>();
        const reported = report.series.find((r) => r.symbol === 'BTC-USD-SPOT')!;
        expect(btc).toMatchObject({
          coverage_pct: reported.coverage_pct,
          open_gaps: reported.open_gaps,
          suspect_gaps: reported.suspect_gaps,
          missing_candles: reported.missing_intervals,
        });
        // Every alias of the symbol names the same series; both held series without a filter.
        expect(
          (await cli(['series', '--symbols', 'XXBTZUSD', '--json']))
            .json<{ series: Series[] }>()
            .series.map((s) => s.interval),
        ).toEqual([1440]);
        expect((await cli(['series', '--json'])).json<{ total: number }>().total).toBe(2);
        const csv = (await cli(['series', '--format', 'csv'])).stdout.trim().split('\n');
        expect(csv[0]).toBe(
          'symbol,interval,expected_from,first,last,candles,expected_candles,no_trade_candles,' +
            'missing_candles,coverage_pct,open_gaps,suspect_gaps,sources',
        );
        expect(csv).toHaveLength(3);
        expect((await cli(['series'])).stdout).toMatch(/^symbol\s+interval\s+expected from.*no-trade.*coverage %/);

        type Assets = {
          total: number;
          assets: Array<{ symbol: string; active: boolean; verified: boolean; category: string }>;
        };
        const assets = (await cli(['assets', 'list', '--json'])).json<Assets>();
        expect(assets.assets.map((a) => a.symbol)).toEqual(['BTC-CAD-SPOT', 'BTC-USD-SPOT']);
        expect(assets.assets[0]).toMatchObject({ active: true, verified: false, category: 'crypto' });
        expect((await cli(['assets', 'deactivate', 'XBTCAD'])).code).toBe(0);
        expect((await cli(['assets', 'list', '--json'])).json<Assets>().assets.map((a) => a.symbol)).toEqual([
          'BTC-USD-SPOT',
        ]);
        expect((await cli(['assets', 'list', '--inactive', '--json'])).json<Assets>().total).toBe(2);
        expect((await cli(['assets', 'list', '--category', 'forex', '--json'])).json<Assets>().total).toBe(0);
        expect((await cli(['assets', 'list', '--format', 'csv'])).stdout.split('\n')[0]).toBe(
          'symbol,native_symbol,altname,exchange,category,tier,active,verified,archive_only',
        );
        expect((await cli(['assets', 'list', '--category', 'bonds'])).code).toBe(2);
      } finally {
        await own.drop();
      }
    },
  );

  it(
    'cron expressions are validated with the rest of the configuration, ' + 'naming variable and field (exit 2)',
    async () => {
      const r = await run(['tasks', 'list'], { CRON_BACKFILL: '99 99 * * *' });
      expect(r.code).toBe(2);
      expect(r.json<ErrorOut>().error.code).toBe('CONFIG_INVALID');
      expect(r.stderr).toContain('CRON_BACKFILL="99 99 * * *": minute 99 out of range 0-59');
      const bad = await run(['tasks', 'list'], { CRON_REPORT: '0 8 * * funday' });
      expect(bad.stderr).toContain('CRON_REPORT="0 8 * * funday": day of week "funday"');
      expect((await run(['tasks', 'list'], { CRON_BACKFILL: '30 1 * * mon-fri' })).code).toBe(0);
    },
  );

  it('TIERS_FILE unreadable or malformed, report --out into a missing folder: one line, exit 2', async () => {
    const missing = await run(['assets', 'sync'], { TIERS_FILE: join(dir, 'nope.json') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/TIERS_FILE=".*nope\.json": cannot read a JSON object/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const wrong = await run(['assets', 'sync'], { TIERS_FILE: file('tiers.json', '{"BTC":"platinum"}') });
    expect(wrong.stderr).toContain('BTC has tier "platinum", expected one of');

    const out = join(dir, 'no', 'such', 'dir', 'r.html');
    const report = await run(['report', '--format', 'html', '--out', out]);
    expect(report.code).toBe(2);
    expect(report.json<ErrorOut>().error).toEqual({ code: 'USAGE', message: expect.stringContaining(out) });
    expect(report.stderr).not.toMatch(/\n\s+at /);
  });

  it(
    'jobs show/resume/cancel take a unique ID prefix; job times are on the domain clock; ' +
      'a finished job is never cancelled',
    async () => {
      const path = file('prefix/XBTUSD_720.csv', krakenRows('XBTUSD_720.csv').slice(300, 320).join('\n') + '\n');
      const out = (await run(['ingest', '--csv', path, '--no-api'])).json<IngestResult>();
      const detail = (await run(['jobs', 'show', out.job_id.slice(0, 8)])).json<JobDetail>();
      expect(detail.job_id).toBe(out.job_id);
      expect(detail.started_at).toBe('2025-04-01T00:30:00.000Z');
      expect(detail.finished_at).toBe('2025-04-01T00:30:00.000Z');
      const short = await run(['jobs', 'show', out.job_id.slice(0, 3)]);
      expect(short.code).toBe(2);
      const none = await run(['jobs', 'show', 'ffffffff']);
      expect(none.json<ErrorOut>().error.code).toBe('JOB_NOT_FOUND');
      const cancel = await run(['jobs', 'cancel', out.job_id.slice(0, 8)]);
      expect(cancel.code).toBe(2);
      expect(cancel.json<ErrorOut>().error).toEqual({
        code: 'JOB_FINISHED',
        message: expect.stringContaining('already finished (COMPLETED)'),
      });
    },
  );
});
