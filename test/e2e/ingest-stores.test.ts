import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GapView } from '../../src/gaps/gaps.service';
import { runCli } from '../helpers/cli';
import { storesUnderTest } from '../helpers/candle-stores';
import { Db, FIXTURES, ingest, SAMPLES } from '../helpers/ingest';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/** Just after the Q1 2025 archives end, so that the expected windows are those of the files. */
const NOW = '2025-04-01T00:30:00Z';
const STORES = storesUnderTest('ingest of the real archives');

/** The rows of an archive sample as candles (the archive has no vwap), keyed by open time. */
function archiveRows(file: string): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const line of readFileSync(join(FIXTURES, file), 'utf8').trim().split('\n')) {
    const [ts, ...values] = line.split(',').map(Number);
    rows.set(ts!, values);
  }
  return rows;
}

describe.each(STORES)('ingest of the real Kraken samples, candles in $kind', (store) => {
  let database: TestDatabase;
  let db: Db;
  let out: Awaited<ReturnType<typeof ingest>>['out'];
  let code: number | null;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await Db.connect(database.url);
    const run = await ingest(
      database.url,
      SAMPLES.flatMap((s) => ['--csv', join(FIXTURES, s.file)]),
      { CANDLEKEEP_NOW: NOW, ...store.env(database) },
    );
    ({ out } = run);
    code = run.run.code;
  });
  afterAll(async () => {
    await db.close();
    await store.drop(database);
    await database.drop();
  });

  it('stores every row of every file, exactly as the archive has it, read back through the store', async () => {
    expect(code).toBe(0);
    const total = SAMPLES.reduce((n, s) => n + s.rows, 0);
    expect(out).toMatchObject({
      status: 'COMPLETED',
      files_ingested: 9,
      files_failed: 0,
      rows_read: total,
      rows_ingested: total,
      rows_rejected: 0,
    });
    for (const s of SAMPLES) {
      const stored = await store.readStored(database, s.symbol, s.interval, { from: s.first, to: s.last });
      const expected = archiveRows(s.file);
      expect({ file: s.file, count: stored.length }).toEqual({ file: s.file, count: s.rows });
      const differing = stored.filter((c) => {
        const row = expected.get(c.ts);
        return (
          !row ||
          [c.open, c.high, c.low, c.close, c.volume, c.trades].some((v, i) => v !== row[i]) ||
          c.vwap !== null ||
          c.source !== 'csv'
        );
      });
      expect({ file: s.file, differing: differing.slice(0, 3) }).toEqual({ file: s.file, differing: [] });
    }
  });

  it(
    'a file over the reject threshold keeps none of its rows, ' + 'though they went to the store in several requests',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ck-reject-'));
      try {
        const good = readFileSync(join(FIXTURES, 'XBTUSD_720.csv'), 'utf8').trim().split('\n').slice(0, 3000);
        const path = join(dir, 'ETHUSD_720.csv');
        writeFileSync(
          path,
          [...good, ...Array.from({ length: 1000 }, () => 'not,a,candle,row,at,all,!')].join('\n') + '\n',
        );
        // Small batches: the accepted rows are sent (and acknowledged) long before the file is found over the
        // threshold.
        const env = {
          DATABASE_URL: database.url,
          CANDLEKEEP_NOW: NOW,
          QUESTDB_BATCH_ROWS: '500',
          ...store.env(database),
        };
        const r = await runCli(['ingest', '--csv', path, '--no-api', '--json'], env);
        expect(r.code).toBe(1);
        expect(r.json<{ files_failed: number; rows_ingested: number }>()).toMatchObject({
          files_failed: 1,
          rows_ingested: 0,
        });
        const first = Number(good[0]!.split(',')[0]);
        const last = Number(good[good.length - 1]!.split(',')[0]);
        expect(await store.readStored(database, 'ETH-USD-SPOT', 720, { from: first, to: last })).toEqual([]);
        expect(await db.coverage('ETH-USD-SPOT', 720)).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('records the coverage of every file and exactly the gaps between and after them', async () => {
    for (const s of SAMPLES) expect(await db.coverage(s.symbol, s.interval)).toContainEqual([s.first, s.last, s.rows]);
    const r = await runCli(['gaps', '--status', 'all', '--json'], {
      DATABASE_URL: database.url,
      CANDLEKEEP_NOW: NOW,
      ...store.env(database),
    });
    expect(r.code).toBe(0);
    const records = r.json<{ gaps: GapView[] }>().gaps;
    const of = (kind: string) =>
      records
        .filter((g) => g.kind === kind)
        .map((g) => [g.symbol, g.interval, g.start_ts, g.end_ts, g.missing_intervals, g.status]);
    expect(of('gap')).toEqual(EXPECTED_GAPS);
    // Holes inside files that are implausible for a liquid market: Kraken's January 2018 outage and 2024-03-31.
    expect(of('suspect')).toEqual(EXPECTED_SUSPECTS);
  });
});

/**
 * From the samples' first/last open times (helpers/ingest SAMPLES): the 60-minute series end long before NOW,
 * so each is expected up to 2025-03-31T23:00, split where Kraken's OHLC window (the last 719 closed hours,
 * from 2025-03-02T01:00) starts; the 720/1440 files end at Q1 2025's last candle: no gap. No-trade hours
 * inside a file are covered, not gaps.
 */
const EXPECTED_SUSPECTS = [
  ['BTC-CAD-SPOT', 720, '2018-01-11T12:00:00.000Z', '2018-01-12T12:00:00.000Z', 3, 'SUSPECT'],
  ['BTC-CAD-SPOT', 1440, '2018-01-12T00:00:00.000Z', '2018-01-12T00:00:00.000Z', 1, 'SUSPECT'],
  ['BTC-USD-SPOT', 720, '2018-01-12T00:00:00.000Z', '2018-01-12T00:00:00.000Z', 1, 'SUSPECT'],
  ['BTC-USD-SPOT', 720, '2024-03-31T12:00:00.000Z', '2024-03-31T12:00:00.000Z', 1, 'SUSPECT'],
  ['BTC-USD-SPOT', 1440, '2024-03-31T00:00:00.000Z', '2024-03-31T00:00:00.000Z', 1, 'SUSPECT'],
];

const EXPECTED_GAPS = [
  ['BTC-USD-SPOT', 60, '2014-04-29T00:00:00.000Z', '2022-09-04T09:00:00.000Z', 73210, 'DETECTED'],
  ['BTC-USD-SPOT', 60, '2023-01-07T10:00:00.000Z', '2025-03-02T00:00:00.000Z', 18831, 'DETECTED'],
  ['BTC-USD-SPOT', 60, '2025-03-02T01:00:00.000Z', '2025-03-31T23:00:00.000Z', 719, 'DETECTED'],
  ['ETH-USD-SPOT', 60, '2016-04-22T19:00:00.000Z', '2022-11-26T23:00:00.000Z', 57821, 'DETECTED'],
  ['ETH-USD-SPOT', 60, '2023-04-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z', 16825, 'DETECTED'],
  ['ETH-USD-SPOT', 60, '2025-03-02T01:00:00.000Z', '2025-03-31T23:00:00.000Z', 719, 'DETECTED'],
  ['STORJ-USD-SPOT', 60, '2020-10-01T00:00:00.000Z', '2025-03-02T00:00:00.000Z', 38713, 'DETECTED'],
  ['STORJ-USD-SPOT', 60, '2025-03-02T01:00:00.000Z', '2025-03-31T23:00:00.000Z', 719, 'DETECTED'],
];
