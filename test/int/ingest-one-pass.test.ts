import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { writeZip } from '../helpers/zip';

const NOW = '2025-04-01T00:30:00Z';
const T0 = Date.UTC(2024, 0, 1) / 1000;
const ROWS = 200_000;
/** More than one reject batch (1000): some of a duplicate's rejects reach the database during its pass. */
const BAD = 1_500;

/** Bytes this process has read through read(2) and the like, page cache included (Linux). */
const bytesRead = (): number => Number(/rchar:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const measuring = existsSync('/proc/self/io');

/** Polls `check` every 100 ms until it holds (bounded; statistics reach the views a moment after a transaction). */
async function until(check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

/**
 * One read per file (README "Archive ingestion", "Ledger"): the content is hashed in the pass that parses and
 * writes it. A content found COMPLETED after that pass rolls the file back and is recorded SKIPPED_DUPLICATE,
 * leaving nothing else behind; a file that cannot be read to its end is FAILED, its rows rolled back.
 */
describe('ingest: one pass reads, hashes, parses and writes a file', () => {
  let dir: string;
  let file: string;
  let db: TestDatabase;
  let pg: Client;

  /** Exit 1 when the run rejected rows (the file's bad lines), else 0. */
  const ingest = async (path: string, code: number): Promise<IngestResult> => {
    const r = await runCliInProcess(['ingest', '--csv', path, '--no-api', '--json'], {
      DATABASE_URL: db.url,
      CANDLEKEEP_NOW: NOW,
    });
    expect([r.code, r.stderr]).toEqual([code, '']);
    return r.json<IngestResult>();
  };
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await pg.query(sql, params)).rows[0] as T;
  /** Rows ever inserted into candles, rolled back or not (the statistics count both). */
  const candlesInserted = async (): Promise<number> => {
    await pg.query('SELECT pg_stat_clear_snapshot()');
    return Number(
      (await one<{ n: string }>(`SELECT n_tup_ins AS n FROM pg_stat_user_tables WHERE relname = 'candles'`)).n,
    );
  };
  /** What a series holds: candles stored, coverage ranges (start, end, count). */
  const held = async (symbol: string) => ({
    candles: (
      await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM candles c JOIN assets a ON a.id = c.asset_id WHERE a.symbol = $1`,
        [symbol],
      )
    ).n,
    coverage: (
      await pg.query(
        `SELECT extract(epoch FROM r.start_ts)::bigint::int AS s, ` +
          `extract(epoch FROM r.end_ts)::bigint::int AS e, r.candle_count::int AS n
           FROM data_coverage_ranges r JOIN assets a ON a.id = r.asset_id WHERE a.symbol = $1 ORDER BY r.start_ts`,
        [symbol],
      )
    ).rows,
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ck-content-dup-'));
    const lines = [`${T0},100,101,99,100.5,1.5,3`];
    for (let i = 0; i < BAD; i++) lines.push(`not-a-time-${i},100,101,99,100.5,1.5,3`);
    for (let i = 1; i < ROWS; i++) lines.push(`${T0 + i * 60},100,101,99,100.5,1.5,${1 + (i % 9)}`);
    mkdirSync(join(dir, 'a'));
    file = join(dir, 'a', 'XBTUSD_1.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    await pg.end();
    await db.drop();
  });

  it(
    'content ingested already, under names the stat shortcut does not know (a new mtime; a renamed copy, ' +
      'another series): read once, rolled back, SKIPPED_DUPLICATE, nothing of it kept',
    async () => {
      // A small file first: what the first run in this process loads (modules, the catalog) is not counted below.
      mkdirSync(join(dir, 'warm'), { recursive: true });
      writeFileSync(join(dir, 'warm', 'LTCUSD_1.csv'), `${T0},70,71,69,70.5,2,4\n`);
      await ingest(join(dir, 'warm', 'LTCUSD_1.csv'), 0);

      const before = measuring ? bytesRead() : 0;
      const first = await ingest(file, 1);
      // Read once: hashed in the pass that parses it, no pass of its own before (that read it twice).
      if (measuring) expect(bytesRead() - before).toBeLessThan(1.5 * statSync(file).size);
      expect(first).toMatchObject({
        files_ingested: 1,
        files_skipped: 0,
        rows_read: ROWS + BAD,
        rows_ingested: ROWS,
        rows_rejected: BAD,
      });
      const original = await one<{ id: number; sha256: string; status: string }>(
        `SELECT id, sha256, status FROM file_ingestion_records WHERE job_id = $1`,
        [first.job_id],
      );
      expect(original.status).toBe('COMPLETED');
      const btc = await held('BTC-USD-SPOT');
      expect(btc).toEqual({ candles: ROWS, coverage: [{ s: T0, e: T0 + (ROWS - 1) * 60, n: ROWS }] });
      const rejects = (await one<{ n: number }>(`SELECT count(*)::int AS n FROM ingestion_rejects`)).n;
      expect(rejects).toBe(BAD);

      // Re-downloaded (same bytes, new mtime: the stat shortcut misses), and copied under another pair's name.
      const later = new Date(statSync(file).mtimeMs + 60_000);
      utimesSync(file, later, later);
      mkdirSync(join(dir, 'b'));
      const renamed = join(dir, 'b', 'ETHUSD_1.csv');
      copyFileSync(file, renamed);

      for (const path of [file, renamed]) {
        const inserted = await candlesInserted();
        const before = measuring ? bytesRead() : 0;
        const out = await ingest(path, 0);
        const read = measuring ? bytesRead() - before : 0;
        // What a duplicate looked like when it was found before loading: skipped, no row counted, no reject listed.
        expect(out).toMatchObject({
          status: 'COMPLETED',
          files_total: 1,
          files_ingested: 0,
          files_skipped: 1,
          files_failed: 0,
          rows_read: 0,
          rows_ingested: 0,
          rows_rejected: 0,
          reject_summary: [],
          rejects: [],
        });
        const record = await one<{
          id: number;
          status: string;
          checkpoint: unknown;
          sha256: string;
          rows_read: string;
        }>(`SELECT id, status, checkpoint, sha256, rows_read FROM file_ingestion_records WHERE job_id = $1`, [
          out.job_id,
        ]);
        expect(record).toMatchObject({
          status: 'SKIPPED_DUPLICATE',
          checkpoint: { duplicate_of: String(original.id) },
          sha256: original.sha256,
          rows_read: '0',
        });
        const job = await one(
          `SELECT status, files_skipped::int, files_done::int, rows_read::int, rows_ingested::int, ` +
            `rows_rejected::int FROM ingestion_jobs WHERE id = $1`,
          [out.job_id],
        );
        expect(job).toEqual({
          status: 'COMPLETED',
          files_skipped: 1,
          files_done: 0,
          rows_read: 0,
          rows_ingested: 0,
          rows_rejected: 0,
        });
        expect(
          (
            await one<{ n: number }>(`SELECT count(*)::int AS n FROM ingestion_rejects WHERE file_record_id = $1`, [
              record.id,
            ])
          ).n,
        ).toBe(0);
        expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM ingestion_rejects`)).n).toBe(rejects);
        // Read once (found a duplicate by reading it, not by the shortcut), a little more for the database's answers.
        if (measuring) {
          expect(read).toBeGreaterThanOrEqual(statSync(path).size);
          expect(read).toBeLessThan(1.5 * statSync(path).size);
        }
        // The renamed copy's series held nothing: its rows went straight into candles, then were rolled back (below)
        // (all but what the server still buffered when the COPY was failed).
        if (path === renamed) await until(async () => (await candlesInserted()) - inserted >= 0.9 * ROWS);
      }
      // The rows written in the rolled-back transactions are gone: the series are as the first run left them.
      expect(await held('BTC-USD-SPOT')).toEqual(btc);
      expect(await held('ETH-USD-SPOT')).toEqual({ candles: 0, coverage: [] });
      const ledger = await pg.query(
        `SELECT status, count(*)::int AS n FROM file_ingestion_records GROUP BY status ORDER BY status`,
      );
      expect(ledger.rows).toEqual([
        { status: 'COMPLETED', n: 2 }, // the file and the small one
        { status: 'SKIPPED_DUPLICATE', n: 2 },
      ]);
    },
    120_000,
  );
  it(
    'a ZIP member that cannot be read to its end: FAILED as unreadable, ' +
      'the rows written before the failure rolled back',
    async () => {
      const rows = 100_000;
      const lines: string[] = [];
      for (let i = 0; i < rows; i++) lines.push(`${T0 + i * 60},100,101,99,100.5,1.5,${1 + (i % 9)}`);
      const zip = join(dir, 'cut.zip');
      const content = Buffer.from(`${lines.join('\n')}\n`);
      writeZip(zip, [{ name: 'XBTUSD_1.csv', data: content }]);
      // Its directory says half the size: the member's stream fails (too many bytes) halfway through the pass.
      const bytes = readFileSync(zip);
      const directory = bytes.readUInt32LE(bytes.length - 22 + 16);
      bytes.writeUInt32LE(content.length >> 1, 22);
      bytes.writeUInt32LE(content.length >> 1, directory + 24);
      writeFileSync(zip, bytes);

      const inserted = await candlesInserted();
      const r = await runCliInProcess(['ingest', '--csv', zip, '--no-api', '--json'], {
        DATABASE_URL: db.url,
        CANDLEKEEP_NOW: NOW,
      });
      expect(r.code).toBe(1);
      expect(r.json<IngestResult>()).toMatchObject({ files_failed: 1, files_ingested: 0, rows_ingested: 0 });
      const record = await one<{ status: string; error: string; rows_ingested: string }>(
        `SELECT status, error, rows_ingested FROM file_ingestion_records`,
      );
      expect(record).toEqual({
        status: 'FAILED',
        error: expect.stringMatching(/^unreadable: too many bytes in the stream/),
        rows_ingested: '0',
      });
      // Rows were written before the read failed, and are gone with the rolled-back transaction.
      await until(async () => (await candlesInserted()) - inserted > 0);
      expect(await held('BTC-USD-SPOT')).toEqual({ candles: 0, coverage: [] });
    },
  );
});
