import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { IngestResult } from '../../src/ingestion/ingest.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES } from '../helpers/ingest';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/**
 * A seeded, reproducible fuzz of archive ingestion over windows of the real
 * Kraken samples: byte flips, NUL and invalid UTF-8, truncated and overlong
 * lines, extra and missing fields, CRLF mixes, duplicated (same or other
 * values) and out-of-order timestamps, headers, non-positive prices. Every
 * file gets a pair name of its own, so each is its own series. For every file:
 * no crash, rows_read = rows_ingested + rows_rejected, the store holds exactly
 * the ingested rows (none of a failed file's), every reject has a line and a
 * reason, and coverage claims no rejected row's slot (except a harmless
 * repeat of an accepted row). FUZZ_CASES (default 300; `npm run fuzz` runs
 * 3,000) and FUZZ_SEED choose the run.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SOURCES = [
  { file: 'XBTUSD_720.csv', interval: 720 },
  { file: 'XBTCAD_1440.csv', interval: 1440 },
  { file: 'aironav-bitcoin/STORJUSD_60.csv', interval: 60 },
  { file: 'avkhimen-crypto_trader/ETHUSD_60.csv', interval: 60 },
];
const NOW = '2025-04-01T00:30:00Z';

/** A pair name made of letters only: FZ + the case number in base 26, quote USD. */
const pairOf = (n: number) => {
  let s = '';
  for (let k = n + 26 * 26; k > 0; k = Math.floor(k / 26)) s = String.fromCharCode(65 + (k % 26)) + s;
  return `FZ${s}USD`;
};

type Mutation = (lines: Buffer[], rand: (n: number) => number) => void;

const MUTATIONS: Array<[string, Mutation]> = [
  ['byte flip', (l, r) => flip(l[r(l.length)]!, r)],
  ['NUL', (l, r) => insertBytes(l, r, [0x00])],
  ['invalid UTF-8', (l, r) => insertBytes(l, r, [0xff, 0xc3])],
  [
    'truncated line',
    (l, r) => {
      const i = r(l.length);
      l[i] = l[i]!.subarray(0, r(l[i]!.length));
    },
  ],
  ['overlong line', (l, r) => l.splice(r(l.length), 0, Buffer.from('9'.repeat(5000 + r(3000))))],
  ['extra field', (l, r) => appendText(l, r, ',42')],
  [
    'missing field',
    (l, r) => {
      const i = r(l.length);
      l[i] = Buffer.from(l[i]!.toString('latin1').split(',').slice(0, 6).join(','), 'latin1');
    },
  ],
  ['CRLF', (l, r) => appendText(l, r, '\r')],
  [
    'duplicate, same values',
    (l, r) => {
      const i = r(l.length);
      l.splice(i, 0, Buffer.from(l[i]!));
    },
  ],
  [
    'duplicate, other values',
    (l, r) => {
      const i = r(l.length);
      const f = l[i]!.toString('latin1').split(',');
      if (f.length === 7) f[4] = String(Number(f[4]) * 1.001);
      l.splice(i + 1, 0, Buffer.from(f.join(','), 'latin1'));
    },
  ],
  [
    'out of order',
    (l, r) => {
      const i = r(l.length);
      const j = r(l.length);
      [l[i], l[j]] = [l[j]!, l[i]!];
    },
  ],
  ['header', (l) => l.unshift(Buffer.from('time,open,high,low,close,volume,trades'))],
  ['empty lines', (l, r) => l.splice(r(l.length), 0, Buffer.alloc(0), Buffer.alloc(0))],
  [
    'non-positive price',
    (l, r) => {
      const i = r(l.length);
      const f = l[i]!.toString('latin1').split(',');
      if (f.length === 7) f[1 + r(4)] = r(2) ? '0' : '-1';
      l[i] = Buffer.from(f.join(','), 'latin1');
    },
  ],
  ['garbage', (l, r) => l.splice(r(l.length), 0, Buffer.from(Array.from({ length: 1 + r(80) }, () => r(256))))],
];

function flip(line: Buffer, r: (n: number) => number): void {
  if (line.length) line[r(line.length)] = r(256);
}
function insertBytes(l: Buffer[], r: (n: number) => number, bytes: number[]): void {
  const i = r(l.length);
  const at = r(l[i]!.length + 1);
  l[i] = Buffer.concat([l[i]!.subarray(0, at), Buffer.from(bytes), l[i]!.subarray(at)]);
}
function appendText(l: Buffer[], r: (n: number) => number, text: string): void {
  const i = r(l.length);
  l[i] = Buffer.concat([l[i]!, Buffer.from(text, 'latin1')]);
}

describe(`archive ingestion fuzz (${CASES} seeded cases over windows of the real samples)`, () => {
  let db: TestDatabase;
  let pg: Client;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dir = mkdtempSync(join(tmpdir(), 'ck-fuzz-'));
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'never crashes; every file accounts for every row; the store and coverage hold exactly what was accepted',
    async () => {
      // mulberry32: its low bits are as random as its high ones (an LCG's are not, and its cases would repeat).
      let state = SEED >>> 0;
      const rand = (n: number) => {
        state = (state + 0x6d2b79f5) >>> 0;
        let z = state;
        z = Math.imul(z ^ (z >>> 15), z | 1);
        z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
        return n <= 1 ? 0 : ((z ^ (z >>> 14)) >>> 0) % n;
      };
      const sources = SOURCES.map((s) => ({
        ...s,
        lines: readFileSync(join(FIXTURES, s.file)).toString('latin1').trim().split('\n'),
      }));
      const applied = new Map<string, string[]>();
      for (let n = 0; n < CASES; n++) {
        const src = sources[rand(sources.length)]!;
        const start = rand(src.lines.length - 200);
        const lines = src.lines.slice(start, start + 20 + rand(180)).map((l) => Buffer.from(l, 'latin1'));
        const names: string[] = [];
        for (let k = 0, count = 1 + rand(4); k < count; k++) {
          const [name, mutate] = MUTATIONS[rand(MUTATIONS.length)]!;
          mutate(lines, rand);
          names.push(name);
        }
        const eol = rand(5) === 0 ? '\r\n' : '\n';
        const file = join(dir, `${pairOf(n)}_${src.interval}.csv`);
        writeFileSync(
          file,
          Buffer.concat(lines.flatMap((l, i) => (i < lines.length - 1 || rand(2) ? [l, Buffer.from(eol)] : [l]))),
        );
        applied.set(file, names);
      }
      mkdirSync(dir, { recursive: true });
      const r = await runCliInProcess(['ingest', '--csv', dir, '--no-api', '--json'], {
        DATABASE_URL: db.url,
        CANDLEKEEP_NOW: NOW,
      });
      expect([0, 1]).toContain(r.code);
      const out = r.json<IngestResult>();
      expect(out.files_total).toBe(CASES);
      expect(out.rows_read).toBe(out.rows_ingested + out.rows_rejected);

      const files = (
        await pg.query<{
          path: string;
          status: string;
          error: string | null;
          read: string;
          ingested: string;
          rejected: string;
          asset: number;
          iv: number;
          stored: number;
          rejects: number;
          bad_rejects: number;
        }>(
          `SELECT f.path, f.status, f.error, f.rows_read AS read, f.rows_ingested AS ingested, ` +
            `f.rows_rejected AS rejected, f.asset_id AS asset,
                f.interval_minutes AS iv,
                (SELECT count(*)::int FROM candles c WHERE c.asset_id = f.asset_id ` +
            `AND c.interval_minutes = f.interval_minutes) AS stored,
                (SELECT count(*)::int FROM ingestion_rejects x WHERE x.file_record_id = f.id AND x.line > 0) AS rejects,
                (SELECT count(*)::int FROM ingestion_rejects x WHERE x.file_record_id = f.id ` +
            `AND (x.line < 0 OR x.reason = '')) AS bad_rejects
           FROM file_ingestion_records f`,
        )
      ).rows;
      expect(files).toHaveLength(CASES);
      const problems: string[] = [];
      for (const f of files) {
        const why = `${f.path.slice(dir.length + 1)} (${applied.get(f.path)!.join(', ')})`;
        const [read, ingested, rejected] = [Number(f.read), Number(f.ingested), Number(f.rejected)];
        // Two cases may make the same bytes: the second is a duplicate of the first's content, skipped unread.
        if (f.status === 'SKIPPED_DUPLICATE') {
          if (f.stored !== 0) problems.push(`${why}: a skipped duplicate's series holds ${f.stored} candles`);
          continue;
        }
        if (!['COMPLETED', 'FAILED'].includes(f.status)) problems.push(`${why}: left ${f.status}`);
        if (read !== ingested + rejected)
          problems.push(`${why}: read ${read} != ingested ${ingested} + rejected ${rejected}`);
        if (f.stored !== (f.status === 'COMPLETED' ? ingested : 0))
          problems.push(`${why}: ${f.stored} candles stored, ${ingested} ingested (${f.status})`);
        if (f.status === 'COMPLETED' && f.rejects !== rejected)
          problems.push(`${why}: ${f.rejects} rejects stored for ${rejected} rejected`);
        if (f.bad_rejects) problems.push(`${why}: ${f.bad_rejects} rejects without a line or reason`);
        // A file fails only for a reason of its own (too many rejects, no valid row, mislabelled), never on an error
        // storing its rejects: that would lose its valid rows.
        if (f.status === 'FAILED' && !/rows rejected|empty file|no valid row|minutes apart/.test(f.error ?? ''))
          problems.push(`${why}: FAILED: ${f.error}`);
      }
      // Coverage claims no rejected row's slot, unless the slot holds that very row (a harmless repeat).
      const claimed = await pg.query<{ path: string; ts: string; raw: string; same: boolean }>(
        `SELECT f.path, x.raw, ts.v AS ts,
              EXISTS (SELECT 1 FROM candles c WHERE c.asset_id = f.asset_id AND c.interval_minutes = f.interval_minutes
                         AND c.ts = to_timestamp(ts.v) AND ` +
          `concat_ws(',', extract(epoch FROM c.ts)::bigint, c.open, c.high, c.low, c.close, c.volume, c.trades)
                             = concat_ws(',', split_part(x.raw, ',', 1), split_part(x.raw, ',', 2)::float8, ` +
          `split_part(x.raw, ',', 3)::float8,
                                         split_part(x.raw, ',', 4)::float8, split_part(x.raw, ',', 5)::float8, ` +
          `split_part(x.raw, ',', 6)::float8,
                                         split_part(x.raw, ',', 7)::int)) AS same
         FROM ingestion_rejects x JOIN file_ingestion_records f ON f.id = x.file_record_id
         CROSS JOIN LATERAL (SELECT CASE ` +
          `WHEN x.raw ~ '^[0-9]{9,11},' THEN split_part(x.raw, ',', 1)::bigint END AS v) ts
        WHERE f.status = 'COMPLETED' AND ts.v IS NOT NULL AND ts.v % (f.interval_minutes * 60) = 0
          AND x.raw ~ '^[0-9]+(,-?[0-9.eE+-]+){5},[0-9]{1,9}$'
          AND EXISTS (SELECT 1 FROM data_coverage_ranges r WHERE r.asset_id = f.asset_id ` +
          `AND r.interval_minutes = f.interval_minutes
                         AND to_timestamp(ts.v) BETWEEN r.start_ts AND r.end_ts)`,
      );
      for (const c of claimed.rows)
        if (!c.same)
          problems.push(`${c.path.slice(dir.length + 1)}: coverage claims the slot of rejected row ${c.raw}`);
      expect(problems).toEqual([]);
    },
    60_000 + CASES * 100,
  ); // one ingest of CASES files (a few hundred ms per hundred files), then a few queries
});
