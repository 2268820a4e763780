import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Daily use (issue 14): fail fast and clearly, say what a file is, name what was asked and not found. */
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
    expect(r.json<IngestResult>()).toMatchObject({ rows_read: 50, rows_ingested: 50, rows_rejected: 0, headers_skipped: [path], reject_summary: [] });
    const text = await runCliInProcess(['ingest', '--csv', file('header2/XBTUSD_1440.csv', 'Time,Open,High,Low,Close,Volume,Count\n1672531200,1,1,1,1,1,1\n'), '--no-api'], {
      DATABASE_URL: db.url,
      CANDLEKEEP_NOW: NOW,
    });
    expect(text.stdout.match(/header: skipped/g)).toHaveLength(1);
  });

  it('a header anywhere but the first line is a rejected row, not skipped', async () => {
    const rows = krakenRows('XBTUSD_720.csv').slice(100, 110);
    const path = file('mid/XBTUSD_720.csv', [rows[0], 'time,open,high,low,close,volume,trades', ...rows.slice(1)].join('\n') + '\n');
    const out = (await run(['ingest', '--csv', path, '--no-api'])).json<IngestResult>();
    expect(out).toMatchObject({ rows_ingested: 10, rows_rejected: 1, headers_skipped: [] });
    expect(out.reject_summary).toEqual([expect.objectContaining({ file: path, count: 1, first_lines: [2] })]);
  });

  it('rejects are summarised per reason with count, first lines and ISO time; a foreign shape says what it looks like', async () => {
    // The shape of a Kraken trades CSV (time,price,volume) under an OHLCVT name.
    const trades = Array.from({ length: 300 }, (_, i) => `${1672531200 + i * 7},16530.${i % 10},0.0${(i % 9) + 1}`);
    const path = file('foreign/BCHEUR_60.csv', trades.join('\n') + '\n');
    const r = await run(['ingest', '--csv', path, '--no-api']);
    expect(r.code).toBe(1);
    const out = r.json<IngestResult>();
    expect(out.files_failed).toBe(1);
    expect(out.reject_summary).toEqual([{ file: path, reason: 'field_count', count: 300, first_lines: [1, 2, 3], first_time: '2023-01-01T00:00:00.000Z' }]);
    const detail = (await run(['jobs', 'show', out.job_id])).json<JobDetail>();
    expect(detail.files[0]!.error).toMatch(/— 3 columns in every row: a Kraken trades CSV \(time,price,volume\), not OHLCVT/);

    const text = (await runCliInProcess(['ingest', '--csv', path, '--no-api'], { DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW })).stdout;
    expect(text.match(/field_count/g)).toHaveLength(1);
    expect(text).toContain('field_count ×300 (lines 1, 2, 3, …; first 2023-01-01T00:00:00.000Z)');
  });

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

  it('an explicit --csv file whose name does not parse is a usage error (exit 2) naming it; no job starts', async () => {
    const path = file('names/bitcoin-hourly.csv', krakenRows('XBTUSD_720.csv').slice(0, 3).join('\n'));
    const before = await jobCount();
    const r = await run(['ingest', '--csv', path, '--no-api']);
    expect(r.code).toBe(2);
    expect(r.json<ErrorOut>().error).toEqual({ code: 'ARCHIVE_NAME', message: expect.stringContaining(path) });
    expect(await jobCount()).toBe(before);
  });

  it('--intervals or --tier matching no file found: says what was found instead, exit 1', async () => {
    const a = file('sel/XBTUSD_720.csv', krakenRows('XBTUSD_720.csv').slice(0, 3).join('\n'));
    file('sel/XBTUSD_1440.csv', krakenRows('XBTUSD_1440.csv').slice(0, 3).join('\n'));
    const r = await run(['ingest', '--csv', join(a, '..'), '--intervals', '60', '--no-api']);
    expect(r.code).toBe(1);
    expect(r.json<ErrorOut>().error).toEqual({ code: 'NOTHING_MATCHED', message: 'no file matched --intervals 60 (found 2 file(s) at interval(s) 720, 1440)' });
  });

  it('cron expressions are validated with the rest of the configuration, naming variable and field (exit 2)', async () => {
    const r = await run(['tasks', 'list'], { CRON_BACKFILL: '99 99 * * *' });
    expect(r.code).toBe(2);
    expect(r.json<ErrorOut>().error.code).toBe('CONFIG_INVALID');
    expect(r.stderr).toContain('CRON_BACKFILL="99 99 * * *": minute 99 out of range 0-59');
    const bad = await run(['tasks', 'list'], { CRON_REPORT: '0 8 * * funday' });
    expect(bad.stderr).toContain('CRON_REPORT="0 8 * * funday": day of week "funday"');
    expect((await run(['tasks', 'list'], { CRON_BACKFILL: '30 1 * * mon-fri' })).code).toBe(0);
  });

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

  it('jobs show/resume/cancel take a unique ID prefix; job times are on the domain clock; a finished job is never cancelled', async () => {
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
    expect(cancel.json<ErrorOut>().error).toEqual({ code: 'JOB_FINISHED', message: expect.stringContaining('already finished (COMPLETED)') });
  });
});
