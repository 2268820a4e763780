import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { Db, FIXTURES, ingest, SAMPLES, IngestDatabases } from '../helpers/ingest';

const H = 3600;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const sampleArgs = () => SAMPLES.flatMap((s) => ['--csv', join(FIXTURES, s.file)]);

describe('candlekeep ingest (archives)', () => {
  let tmp: string;
  const databases = new IngestDatabases();
  const freshDb = () => databases.fresh();

  function write(rel: string, text: string): string {
    const path = join(tmp, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'ck-ingest-'));
  });
  afterAll(async () => {
    await databases.dropAll();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('the real Kraken samples', () => {
    let url: string;
    let db: Db;
    let first: Awaited<ReturnType<typeof ingest>>;

    beforeAll(async () => {
      ({ url, db } = await freshDb());
      first = await ingest(url, sampleArgs());
    });

    it(
      'round-trip: per file the candle count is its rows, first/last ts match, ' + 'one coverage range spans them',
      async () => {
        const { run, out } = first;
        expect(run.code).toBe(0);
        expect(out).toMatchObject({
          status: 'COMPLETED',
          files_total: 9,
          files_ingested: 9,
          files_skipped: 0,
          files_failed: 0,
          rows_rejected: 0,
          rejects: [],
        });
        const total = sum(SAMPLES.map((s) => s.rows));
        expect(out.rows_read).toBe(total);
        expect(out.rows_ingested).toBe(total);

        const records = await db.records(out.job_id);
        for (const s of SAMPLES) {
          const rec = records.find((r) => r.path === join(FIXTURES, s.file));
          expect({
            file: s.file,
            status: rec?.status,
            rows: Number(rec?.rows_ingested),
            first: Number(rec?.first),
            last: Number(rec?.last),
          }).toEqual({
            file: s.file,
            status: 'COMPLETED',
            rows: s.rows,
            first: s.first,
            last: s.last,
          });
          expect(rec!.sha256).toMatch(/^[0-9a-f]{64}$/);
          expect(await db.candles(s.symbol, s.interval, s.first, s.last)).toBe(s.rows);
          expect(await db.coverage(s.symbol, s.interval)).toContainEqual([s.first, s.last, s.rows]);
        }
        // Two files of BTC-USD 60m far apart: two ranges, nothing in between.
        expect(await db.coverage('BTC-USD-SPOT', 60)).toHaveLength(2);
        const btc720 = out.series.find((x) => x.symbol === 'BTC-USD-SPOT' && x.interval === 720);
        expect(btc720).toEqual({
          symbol: 'BTC-USD-SPOT',
          interval: 720,
          first_ts: '2013-10-06T12:00:00.000Z',
          last_ts: '2025-03-31T12:00:00.000Z',
          candles: 8294,
        });
        const [asset] = await db.rows(`SELECT altname, catalog_verified FROM assets WHERE symbol = 'BTC-USD-SPOT'`);
        expect(asset).toEqual({ altname: 'XBTUSD', catalog_verified: false });
        // Scientific notation (`1E+1`) is a valid volume.
        const [sci] = await db.rows<{ n: string }>(`SELECT count(*) AS n FROM candles WHERE volume = 10`);
        expect(Number(sci!.n)).toBeGreaterThan(0);
      },
    );

    it('a re-run skips every file without parsing it, and content under another name is a duplicate too', async () => {
      const again = await ingest(url, sampleArgs());
      expect(again.run.code).toBe(0);
      expect(again.out).toMatchObject({
        status: 'COMPLETED',
        files_total: 9,
        files_ingested: 0,
        files_skipped: 9,
        rows_read: 0,
        rows_ingested: 0,
      });
      const originals = await db.records(first.out.job_id);
      const skipped = await db.records(again.out.job_id);
      expect(skipped.map((r) => r.status)).toEqual(Array(9).fill('SKIPPED_DUPLICATE'));
      for (const r of skipped) {
        const original = originals.find((o) => o.path === r.path)!;
        expect(r.checkpoint).toEqual({ duplicate_of: String(original.id) });
        expect(r.sha256).toBe(original.sha256);
      }
      expect(await db.candles('BTC-USD-SPOT', 720)).toBe(8294);

      const renamed = join(tmp, 'renamed', 'XBTUSD_1440.csv');
      mkdirSync(dirname(renamed), { recursive: true });
      copyFileSync(join(FIXTURES, 'XBTUSD_1440.csv'), renamed);
      const dup = await ingest(url, ['--csv', renamed]);
      expect(dup.out).toMatchObject({ files_skipped: 1, rows_read: 0 });
    });

    it('jobs list/show/resume/cancel', async () => {
      const list = await runCli(['jobs', 'list', '--json'], { DATABASE_URL: url });
      expect(list.code).toBe(0);
      expect(list.json<{ jobs: Array<{ job_id: string }> }>().jobs.map((j) => j.job_id)).toContain(first.out.job_id);
      const show = await runCli(['jobs', 'show', first.out.job_id, '--json'], { DATABASE_URL: url });
      expect(show.code).toBe(0);
      const detail = show.json<{ status: string; files: unknown[]; rejects_total: number }>();
      expect(detail).toMatchObject({ status: 'COMPLETED', rejects_total: 0 });
      expect(detail.files).toHaveLength(9);
      expect((await runCliInProcess(['jobs', 'show', 'nope', '--json'], { DATABASE_URL: url })).code).toBe(2);
      // A finished job can be neither resumed nor cancelled: one line, exit 2.
      for (const action of ['resume', 'cancel']) {
        const r = await runCliInProcess(['jobs', action, first.out.job_id, '--json'], { DATABASE_URL: url });
        expect(r.code).toBe(2);
        expect(r.json<{ error: { code: string; message: string } }>().error).toEqual({
          code: 'JOB_FINISHED',
          message: expect.stringContaining(`job ${first.out.job_id} already finished (COMPLETED)`),
        });
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
      expect((await runCliInProcess(['jobs', 'frob', '--json'], { DATABASE_URL: url })).code).toBe(2);
    });
  });

  it(
    'the same files inside a ZIP: streamed members, same result; ' + 'a re-run and the loose copies are skipped',
    async () => {
      const { url, db } = await freshDb();
      const zip = join(tmp, 'kraken-ohlcvt.zip');
      execFileSync('zip', ['-q', zip, ...SAMPLES.map((s) => s.file)], { cwd: FIXTURES });
      const { run, out } = await ingest(url, ['--csv', zip]);
      expect(run.code).toBe(0);
      expect(out).toMatchObject({
        status: 'COMPLETED',
        files_ingested: 9,
        rows_ingested: sum(SAMPLES.map((s) => s.rows)),
      });
      const records = await db.records(out.job_id);
      for (const s of SAMPLES) {
        const rec = records.find((r) => r.archive === zip && r.path === s.file);
        expect({
          file: s.file,
          rows: Number(rec?.rows_read),
          first: Number(rec?.first),
          last: Number(rec?.last),
        }).toEqual({
          file: s.file,
          rows: s.rows,
          first: s.first,
          last: s.last,
        });
        expect(await db.candles(s.symbol, s.interval, s.first, s.last)).toBe(s.rows);
        expect(await db.coverage(s.symbol, s.interval)).toContainEqual([s.first, s.last, s.rows]);
      }
      const again = await ingest(url, ['--csv', zip]);
      expect(again.out).toMatchObject({ files_skipped: 9, files_ingested: 0, rows_read: 0 });
      const loose = await ingest(url, sampleArgs());
      expect(loose.out).toMatchObject({ files_skipped: 9, files_ingested: 0, rows_read: 0 });
    },
  );

  it(
    'two overlapping quarterly files merge into one coverage range with the right count; ' +
      'the later file updates the overlap',
    async () => {
      const { url, db } = await freshDb();
      const lines = readFileSync(join(FIXTURES, 'avkhimen-crypto_trader/XBTUSD_60.csv'), 'utf8').trimEnd().split('\n');
      const overlapRow = lines[1600]!.split(',');
      const changed = [...overlapRow.slice(0, 5), '123.5', overlapRow[6]].join(',');
      const q1 = write('quarters/q1/XBTUSD_60.csv', `${lines.slice(0, 2000).join('\n')}\n`);
      const q2 = write(
        'quarters/q2/XBTUSD_60.csv',
        `${[...lines.slice(1500, 1600), changed, ...lines.slice(1601)].join('\n')}\n`,
      );
      expect((await ingest(url, ['--csv', q1])).out.rows_ingested).toBe(2000);
      const second = await ingest(url, ['--csv', q2]);
      expect(second.out).toMatchObject({ rows_ingested: 1500, rows_rejected: 0 });
      expect(await db.coverage('BTC-USD-SPOT', 60)).toEqual([[1662285600, 1673082000, 3000]]);
      expect(await db.candles('BTC-USD-SPOT', 60)).toBe(3000);
      expect(second.out.series).toEqual([
        {
          symbol: 'BTC-USD-SPOT',
          interval: 60,
          first_ts: '2022-09-04T10:00:00.000Z',
          last_ts: '2023-01-07T09:00:00.000Z',
          candles: 3000,
        },
      ]);
      const [v] = await db.rows<{ volume: number }>(`SELECT volume FROM candles WHERE ts = to_timestamp($1)`, [
        Number(overlapRow[0]),
      ]);
      expect(v!.volume).toBe(123.5);
    },
  );

  describe('bad input', () => {
    const T = Date.UTC(2024, 0, 1) / 1000;
    const good = (h: number) => `${T + h * H},10.5,12,9.5,11,1.25,3`;

    it('rejects each kind of bad row with file, line, reason and raw text; keeps the good rows; exit 1', async () => {
      const { url, db } = await freshDb();
      const rows: string[] = [];
      for (let h = 0; h < 40; h++) rows.push(good(h));
      const bad: Array<[string, string]> = [
        [`${T + 40 * H},10,12,9,11,1`, 'field_count'],
        [`${T + 40 * H}.0,10,12,9,11,1,3`, 'bad_timestamp'],
        [`${T + 40 * H + 60},10,12,9,11,1,3`, 'unaligned_timestamp'],
        [`${T + 40 * H},10,x,9,11,1,3`, 'bad_number'],
        [`${T + 40 * H},10,12,9,13,1,3`, 'ohlc_inconsistent'],
        [`${T + 40 * H},10,12,9,11,-1,3`, 'negative_volume'],
        [`${T + 40 * H},10,12,9,11,1,3.5`, 'bad_trades'],
        [good(5), 'not_increasing'],
      ];
      rows.push(...bad.map((b) => b[0]));
      for (let h = 41; h < 46; h++) rows.push(good(h));
      const text = `${rows.join('\r\n')}\r\n${T + 46 * H},10,12`; // CRLF throughout, truncated last line
      const file = write('bad/XBTUSD_60.csv', text);
      const { run, out } = await ingest(url, ['--csv', file]);
      expect(run.code).toBe(1);
      expect(out).toMatchObject({
        status: 'PARTIAL',
        files_ingested: 1,
        files_failed: 0,
        rows_read: 54,
        rows_ingested: 45,
        rows_rejected: 9,
      });
      expect(out.rows_read).toBe(out.rows_ingested + out.rows_rejected);
      expect(out.rejects.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
        ...bad.map((b, i) => [41 + i, b[1]]),
        [54, 'truncated'],
      ]);
      expect(out.rejects[0]).toEqual({
        file,
        line: 41,
        reason: 'field_count: expected 7 fields, got 6',
        raw: bad[0]![0],
      });
      expect(await db.candles('BTC-USD-SPOT', 60)).toBe(45);
      // The rejected rows leave hour 40 unknown (and hour 5 re-sent out of order): coverage does not claim them.
      expect((await db.coverage('BTC-USD-SPOT', 60)).map(([s, e]) => [(s - T) / H, (e - T) / H])).toEqual([
        [0, 4],
        [6, 39],
        [41, 45],
      ]);

      const show = await runCli(['jobs', 'show', out.job_id, '--json'], { DATABASE_URL: url });
      const detail = show.json<{
        rejects_total: number;
        rejects: Array<{ line: number; reason: string; raw: string }>;
      }>();
      expect(detail.rejects_total).toBe(9);
      expect(detail.rejects[8]).toMatchObject({ line: 54, raw: `${T + 46 * H},10,12` });
    });

    it(
      'a file over the reject threshold is FAILED and keeps none of its rows; ' +
        'a higher --max-reject-ratio accepts it',
      async () => {
        const { url, db } = await freshDb();
        const rows = [good(0), good(1), 'junk', good(2), 'junk', good(3), 'junk', good(4), 'junk', good(5)];
        const file = write('threshold/ETHUSD_60.csv', `${rows.join('\n')}\n`);
        const failed = await ingest(url, ['--csv', file]);
        expect(failed.run.code).toBe(1);
        expect(failed.out).toMatchObject({
          status: 'PARTIAL',
          files_failed: 1,
          files_ingested: 0,
          rows_read: 10,
          rows_ingested: 0,
          rows_rejected: 10,
        });
        expect(failed.out.rejects.at(-1)).toMatchObject({
          line: 0,
          reason: expect.stringMatching(/^file_failed: 4 of 10 rows rejected/),
        });
        expect(await db.candles('ETH-USD-SPOT', 60)).toBe(0);
        expect(await db.coverage('ETH-USD-SPOT', 60)).toEqual([]);
        const [rec] = await db.records(failed.out.job_id);
        expect(rec).toMatchObject({ status: 'FAILED', rows_read: '10', rows_ingested: '0', rows_rejected: '10' });

        const accepted = await ingest(url, ['--csv', file, '--max-reject-ratio', '0.5']);
        expect(accepted.out).toMatchObject({ files_ingested: 1, rows_ingested: 6, rows_rejected: 4 });
        expect(await db.candles('ETH-USD-SPOT', 60)).toBe(6);
      },
    );

    it(
      'an empty file fails, unparseable names found in a folder are listed and not fatal, ' +
        'a header line is skipped once',
      async () => {
        const { url, db } = await freshDb();
        const empty = write('misc/XBTCAD_60.csv', '');
        const names = [write('misc/BCHEUR.csv', '1672531200,20.1,0.5\n'), write('misc/XBTUSD_7.csv', good(0))];
        write('misc/notes.txt', 'hello'); // neither .csv nor .zip: not an archive candidate, so not listed
        const { run, out } = await ingest(url, ['--csv', join(tmp, 'misc')]);
        expect(run.code).toBe(1);
        expect(out).toMatchObject({ files_total: 1, files_failed: 1, rows_read: 0 });
        expect(out.unrecognized.sort()).toEqual(names.sort());
        const [rec] = await db.records(out.job_id);
        expect(rec).toMatchObject({ path: empty, status: 'FAILED', error: 'empty file: no rows' });

        const bonk = await ingest(url, ['--csv', join(FIXTURES, 'templar-yield-model-reprocessed/BONKUSD_1440.csv')]);
        expect(bonk.run.code).toBe(0);
        expect(bonk.out).toMatchObject({
          rows_read: 101,
          rows_ingested: 101,
          rows_rejected: 0,
          headers_skipped: [join(FIXTURES, 'templar-yield-model-reprocessed/BONKUSD_1440.csv')],
        });
        expect(bonk.run.stdout).not.toContain('bad_timestamp');
      },
    );

    it(
      'an explicit --csv file whose name does not parse is a usage error naming it (exit 2), ' + 'and starts no job',
      async () => {
        const { url, db } = await freshDb();
        const file = write('explicit/notes.txt', 'hello');
        const r = await runCliInProcess(['ingest', '--csv', file, '--no-api', '--json'], { DATABASE_URL: url });
        expect(r.code).toBe(2);
        expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({
          code: 'ARCHIVE_NAME',
          message: expect.stringContaining(file),
        });
        expect(await db.rows('SELECT id FROM ingestion_jobs')).toEqual([]);
      },
    );

    it('an unreadable path is a usage error (exit 2) and starts no job', async () => {
      const { url, db } = await freshDb();
      const r = await runCliInProcess(['ingest', '--csv', join(tmp, 'does-not-exist.zip'), '--json'], {
        DATABASE_URL: url,
      });
      expect(r.code).toBe(2);
      expect(r.json<{ error: { code: string } }>().error.code).toBe('ARCHIVE_UNREADABLE');
      expect(await db.rows('SELECT id FROM ingestion_jobs')).toEqual([]);
      expect((await runCliInProcess(['ingest', '--json'], { DATABASE_URL: url })).code).toBe(2);
      expect(
        (await runCliInProcess(['ingest', '--csv', tmp, '--max-reject-ratio', '2', '--json'], { DATABASE_URL: url }))
          .code,
      ).toBe(2);
    });
  });

  it('the open candle is never stored: a row whose period has not ended at CANDLEKEEP_NOW is rejected', async () => {
    const { url, db } = await freshDb();
    // The sample's last row opens 2023-01-07T09:00Z; at 09:30 that hour is still open.
    const { out } = await ingest(url, ['--csv', join(FIXTURES, 'avkhimen-crypto_trader/XBTUSD_60.csv')], {
      CANDLEKEEP_NOW: '2023-01-07T09:30:00Z',
    });
    expect(out).toMatchObject({ rows_read: 3000, rows_ingested: 2999, rows_rejected: 1 });
    expect(out.rejects[0]).toMatchObject({ line: 3000, reason: expect.stringMatching(/^open_candle/) });
    expect(await db.coverage('BTC-USD-SPOT', 60)).toEqual([[1662285600, 1673082000 - H, 2999]]);
  });

  it('--intervals and --tier select files', async () => {
    const { url } = await freshDb();
    const daily = await ingest(url, [...sampleArgs(), '--intervals', '1440']);
    expect(daily.out.series.map((s) => `${s.symbol}/${s.interval}`).sort()).toEqual([
      'BTC-CAD-SPOT/1440',
      'BTC-USD-SPOT/1440',
    ]);
    const tier4 = await ingest(url, [...sampleArgs(), '--tier', '4']);
    expect(tier4.out.series.map((s) => `${s.symbol}/${s.interval}`)).toEqual(['STORJ-USD-SPOT/60']);
    expect(tier4.out.files_total).toBe(1);
  });
});
