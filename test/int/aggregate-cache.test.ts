import { DataSource } from 'typeorm';
import { CachedCandleStore } from '../../src/candles/cached-candle-store';
import { Candle, CandleBucket, CandleStore } from '../../src/candles/candle-store';
import {
  CandleWriteVersionError,
  CandleWriteVersionRepository,
} from '../../src/candles/candle-write-version.repository';
import { PostgresCandleStore } from '../../src/candles/postgres-candle-store';
import { QuestDbCandleStore } from '../../src/candles/questdb/questdb-candle-store';
import { BucketSpec, bucketSpec, fixedBucket } from '../../src/common/aggregation-window';
import { SeriesRef, Span } from '../../src/common/series';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { dropQuestDbTable, QUESTDB, reportQuestDbSkipped } from '../helpers/candle-stores';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { apiMinuteCandles, csvCandles } from './candle-store.contract';
import { chunkStart, nextChunkStart } from '../../src/candles/aggregate-chunks';

/** One candlekeep process: its own connections, store and cache over the shared database (and QuestDB table). */
interface Process {
  store: CachedCandleStore;
  inner: CandleStore;
  versions: CandleWriteVersionRepository;
  ds: DataSource;
}

const H = 3600;
const DAY = 86_400;
const utc = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h) / 1000;

const KINDS: Array<'postgres' | 'questdb'> = ['postgres'];
if (QUESTDB) KINDS.push('questdb');
else reportQuestDbSkipped('aggregate cache');

describe.each(KINDS)('aggregate cache over %s', (kind) => {
  let db: TestDatabase;
  let table: string;
  const closers: Array<() => Promise<void>> = [];
  let a: Process;
  let hourly: SeriesRef;
  let daily: SeriesRef;
  let minutes: SeriesRef;
  const hourRows = csvCandles('aironav-bitcoin/XBTUSD_60.csv'); // 2013-10-06 21:00 → 2014-04-28 23:00, 3000 rows
  const hourSpan = { from: hourRows[0]!.ts, to: hourRows[hourRows.length - 1]!.ts };
  const dayRows = csvCandles('XBTUSD_1440.csv');
  const daySpan = { from: dayRows[0]!.ts, to: dayRows[dayRows.length - 1]!.ts };
  const minuteRows = apiMinuteCandles();
  const minuteSpan = { from: minuteRows[0]!.ts, to: minuteRows[minuteRows.length - 1]!.ts };

  async function open(maxBytes = 64 << 20): Promise<Process> {
    const ds = new DataSource({ ...dataSourceOptions(db.url), extra: { max: 4 } });
    await ds.initialize();
    const inner =
      kind === 'postgres'
        ? new PostgresCandleStore(ds)
        : new QuestDbCandleStore({ ...QUESTDB!, table, batchRows: 50_000, visibilityTimeoutMs: 60_000 });
    const versions = new CandleWriteVersionRepository(ds);
    const store = new CachedCandleStore(inner, versions, maxBytes);
    closers.push(async () => {
      await store.onApplicationShutdown();
      await ds.destroy();
    });
    return { store, inner, versions, ds };
  }

  async function newSeries(symbol: string, intervalMinutes: number): Promise<SeriesRef> {
    const [row] = await a.ds.query<Array<{ id: number }>>(
      `INSERT INTO assets (symbol, base, quote, native_symbol) VALUES ($1, $2, 'USD', $3) RETURNING id`,
      [symbol, symbol.split('-')[0], symbol.replace(/-/g, '')],
    );
    return { assetId: row!.id, symbol, intervalMinutes };
  }

  /**
   * The same buckets. PostgreSQL sums a bucket's rows in one order whatever the span: equal to the last bit.
   * QuestDB's SAMPLE BY sums in parallel frames laid out by the query's span, so its own volume (and vwap) of one
   * bucket differ in the last bits between two spans holding it: those two are equal to 1e-12, the rest exactly.
   */
  function expectSame(received: readonly CandleBucket[], expected: readonly CandleBucket[]): void {
    if (kind === 'postgres') {
      expect(received).toEqual(expected);
      return;
    }
    const rest = (bs: readonly CandleBucket[]) => bs.map(({ volume: _v, vwap: _w, ...r }) => r);
    expect(rest(received)).toEqual(rest(expected));
    const off = (x: number | null, y: number | null) =>
      x === null || y === null ? (x === y ? 0 : Infinity) : Math.abs(x - y) / Math.max(Math.abs(y), 1e-300);
    const worst = Math.max(
      0,
      ...received.map((b, i) => Math.max(off(b.volume, expected[i]!.volume), off(b.vwap, expected[i]!.vwap))),
    );
    expect(worst).toBeLessThan(1e-12);
  }

  /** The cached answer equals the store's, cold and warm; the warm one is served from chunks only. */
  async function expectExact(p: Process, series: SeriesRef, span: Span, spec: BucketSpec): Promise<number> {
    const expected = await p.inner.aggregate(series, span, spec);
    const before = p.store.cacheStats();
    expectSame(await p.store.aggregate(series, span, spec), expected);
    const cold = p.store.cacheStats();
    expectSame(await p.store.aggregate(series, span, spec), expected);
    const warm = p.store.cacheStats();
    const chunks = cold.hits + cold.misses - before.hits - before.misses;
    expect(warm.misses).toBe(cold.misses);
    expect(warm.hits - cold.hits).toBe(chunks);
    return chunks;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    table = `cache_${db.name}`;
    a = await open();
    hourly = await newSeries('CACHEH-USD-SPOT', 60);
    daily = await newSeries('CACHED-USD-SPOT', 1440);
    minutes = await newSeries('CACHEM-USD-SPOT', 1);
    await a.store.upsert(hourly, hourRows, 'csv');
    await a.store.upsert(daily, dayRows, 'csv');
    await a.store.upsert(minutes, minuteRows, 'api');
  });

  afterAll(async () => {
    for (const close of closers) await close();
    if (kind === 'questdb') await dropQuestDbTable(table);
    await db?.drop();
  });

  it("serves exactly the store's buckets for whole, cut, empty and chunk-crossing spans, cold and then warm", async () => {
    const h1 = bucketSpec('1h');
    const d1 = bucketSpec('1d');
    // 2014-01-15 08:00, a boundary of 512-hour chunks (of 1h buckets of hourly candles); 2014-11-10, one of
    // 512-day chunks (daily candles).
    const hourChunk = chunkStart(h1, utc(2014, 1, 15, 12), H);
    expect(new Date(hourChunk * 1000).toISOString()).toBe('2014-01-15T08:00:00.000Z');
    expect(nextChunkStart(h1, hourChunk, H) - hourChunk).toBe(512 * H);
    expect(chunkStart(d1, utc(2014, 11, 10), DAY)).toBe(utc(2014, 11, 10));
    expect(nextChunkStart(d1, utc(2014, 11, 10), DAY) - utc(2014, 11, 10)).toBe(512 * DAY);
    const cut = { from: utc(2013, 11, 20, 5), to: utc(2013, 12, 20, 17) }; // a Wednesday 05:00 → 17:00
    const cases: Array<[SeriesRef, Span, BucketSpec]> = [
      [hourly, hourSpan, h1],
      [hourly, hourSpan, bucketSpec('4h')],
      [hourly, hourSpan, d1],
      [hourly, cut, d1],
      [hourly, cut, bucketSpec('4h')],
      [hourly, cut, bucketSpec('12h')],
      [hourly, cut, bucketSpec('1w', 'monday')],
      [hourly, { from: hourChunk - 10 * H, to: hourChunk + 9 * H }, h1],
      [hourly, { from: hourChunk - 10 * H, to: hourChunk + 9 * H }, fixedBucket(4 * H)],
      [hourly, { from: utc(2014, 1, 10), to: utc(2014, 1, 10, 23) }, d1],
      [hourly, { from: utc(2010, 1, 1), to: utc(2010, 3, 1) }, d1], // before the series: nothing
      [hourly, { from: utc(2014, 1, 10), to: utc(2014, 1, 9) }, d1], // empty span
      [daily, daySpan, bucketSpec('1w', 'monday')],
      [daily, daySpan, bucketSpec('1w', 'thursday')],
      [daily, daySpan, bucketSpec('1mo')],
      [daily, { from: utc(2016, 3, 17), to: utc(2019, 7, 4) }, bucketSpec('1w', 'monday')],
      [daily, { from: utc(2016, 3, 17), to: utc(2019, 7, 4) }, bucketSpec('1mo')],
      [daily, { from: utc(2014, 10, 1), to: utc(2014, 12, 31) }, d1],
      [minutes, minuteSpan, h1], // 12:17 → 00:16: both ends cut
      [minutes, minuteSpan, bucketSpec('15m')],
      [minutes, { from: utc(2025, 11, 10, 13), to: utc(2025, 11, 10, 23) + 59 * 60 }, h1],
      [minutes, { from: utc(2025, 11, 10, 13), to: utc(2025, 11, 10, 23) + 59 * 60 }, bucketSpec('5m')],
    ];
    let chunks = 0;
    for (const [series, span, spec] of cases) chunks += await expectExact(a, series, span, spec);
    expect(chunks).toBeGreaterThan(cases.length);
    // The hourly series' 1h buckets are not empty, and come from more than one chunk.
    const hours = await a.store.aggregate(hourly, hourSpan, h1);
    expect(hours).toHaveLength(hourRows.length);
    expect(hours.some((b) => b.ts < hourChunk) && hours.some((b) => b.ts >= hourChunk)).toBe(true);
    // Shared with the cache: frozen, so that no caller can change what the next one is served.
    expect(Object.isFrozen(hours[0])).toBe(true);
  });

  it('a write by another process (upsert, bulk writer, deleteRange) is in the next aggregate', async () => {
    const b = await open();
    const d1 = bucketSpec('1d');
    const answer = () => a.store.aggregate(hourly, hourSpan, d1);
    const truth = () => a.inner.aggregate(hourly, hourSpan, d1);
    const dayOf = async (ts: number) => (await answer()).find((x) => x.ts === Math.floor(ts / DAY) * DAY);
    await expectExact(a, hourly, hourSpan, d1);

    const row = hourRows.find((c) => c.ts === utc(2014, 1, 10, 12))!;
    const before = await dayOf(row.ts);
    await b.store.upsert(hourly, [{ ...row, high: before!.high * 2 }], 'api');
    expect((await dayOf(row.ts))!.high).toBe(before!.high * 2);
    expectSame(await answer(), await truth());

    const held = new Set(hourRows.map((c) => c.ts));
    let missing = utc(2013, 11, 1);
    while (held.has(missing)) missing += H;
    const day = (await dayOf(missing))!;
    const writer = await b.store.bulkWriter(hourly, 'csv');
    const added: Candle = { ts: missing, open: 200, high: 200, low: 200, close: 200, vwap: null, volume: 1, trades: 1 };
    await writer.write(added);
    expect(await writer.commit()).toBe(1);
    expect((await dayOf(missing))!.candles).toBe(day.candles + 1);
    expectSame(await answer(), await truth());

    const gone = { from: utc(2014, 2, 1), to: utc(2014, 2, 1, 23) };
    expect(await dayOf(gone.from)).toBeDefined();
    expect(await b.store.deleteRange(hourly, gone)).toBeGreaterThan(0);
    expect(await dayOf(gone.from)).toBeUndefined();
    expectSame(await answer(), await truth());
  });

  it('edge candles are cached under the write version: a write by another process moves them', async () => {
    const b = await open();
    const series = await newSeries('CACHEE-USD-SPOT', 60);
    const rows = hourRows.slice(0, 100);
    await b.store.upsert(series, rows, 'csv');
    const span = { from: 0, to: rows[99]!.ts + 10 * H };
    const last = () => a.store.edgeCandle(series, span, 'last');
    const first = () => a.store.edgeCandle(series, span, 'first');
    expect(await last()).toEqual(await a.inner.edgeCandle(series, span, 'last'));
    expect((await last())!.ts).toBe(rows[99]!.ts);
    // A caller may change what it is given: the next one is served the stored candle still.
    const given = (await first())!;
    given.close = -1;
    expect(await first()).toEqual(rows[0]);

    const newer: Candle = { ...rows[99]!, ts: rows[99]!.ts + 5 * H, close: rows[99]!.low };
    await b.store.upsert(series, [newer], 'api');
    expect(await last()).toEqual({ ...newer, vwap: newer.vwap ?? null });
    await b.store.deleteRange(series, { from: newer.ts, to: newer.ts });
    expect((await last())!.ts).toBe(rows[99]!.ts);
    const empty = { from: rows[99]!.ts + H, to: rows[99]!.ts + 4 * H };
    expect(await a.store.edgeCandle(series, empty, 'first')).toBeNull();
    const writer = await b.store.bulkWriter(series, 'csv');
    await writer.write({ ...rows[0]!, ts: empty.from });
    expect(await writer.commit()).toBe(1);
    expect((await a.store.edgeCandle(series, empty, 'first'))!.ts).toBe(empty.from);
  });

  it('a write whose version cannot be raised fails, and so does an aggregate that cannot read it', async () => {
    const series = await newSeries('CACHEF-USD-SPOT', 60);
    const rows = hourRows.slice(0, 48);
    await a.store.upsert(series, rows, 'csv');
    await a.ds.query('ALTER TABLE candle_series_versions RENAME TO candle_series_versions_away');
    try {
      await expect(a.store.upsert(series, rows.slice(0, 1), 'csv')).rejects.toBeInstanceOf(CandleWriteVersionError);
      const writer = await a.store.bulkWriter(series, 'csv');
      await writer.write(rows[1]!);
      await expect(writer.commit()).rejects.toBeInstanceOf(CandleWriteVersionError);
      await expect(a.store.deleteRange(series, { from: rows[0]!.ts, to: rows[0]!.ts })).rejects.toBeInstanceOf(
        CandleWriteVersionError,
      );
      await expect(
        a.store.aggregate(series, { from: rows[0]!.ts, to: rows[47]!.ts }, bucketSpec('1d')),
      ).rejects.toBeInstanceOf(CandleWriteVersionError);
    } finally {
      await a.ds.query('ALTER TABLE candle_series_versions_away RENAME TO candle_series_versions');
    }
  });

  it('AGGREGATE_CACHE_MB=0: everything from the store, and writes still raise the version', async () => {
    const off = await open(0);
    const d1 = bucketSpec('1d');
    // Off, the store answers each span itself: the same to the last bit on either store.
    expect(await off.store.aggregate(hourly, hourSpan, d1)).toEqual(await off.inner.aggregate(hourly, hourSpan, d1));
    expect(await off.store.aggregate(minutes, minuteSpan, bucketSpec('1h'))).toEqual(
      await off.inner.aggregate(minutes, minuteSpan, bucketSpec('1h')),
    );
    expect(off.store.cacheStats()).toEqual({ hits: 0, misses: 0, bytes: 0 });
    const version = await off.versions.current(minutes);
    await off.store.upsert(minutes, minuteRows.slice(0, 1), 'api');
    expect(await off.versions.current(minutes)).toBe(version + 1);
  });

  it('evicts the least recently used chunks to stay within its byte bound', async () => {
    const bound = 250_000; // two chunks of 512 buckets
    const small = await open(bound);
    const h1 = bucketSpec('1h');
    const expected = await small.inner.aggregate(hourly, hourSpan, h1);
    expectSame(await small.store.aggregate(hourly, hourSpan, h1), expected);
    const first = small.store.cacheStats();
    expect(first.misses).toBeGreaterThan(4);
    expect(first.bytes).toBeGreaterThan(0);
    expect(first.bytes).toBeLessThanOrEqual(bound);
    expectSame(await small.store.aggregate(hourly, hourSpan, h1), expected);
    const second = small.store.cacheStats();
    expect(second.misses - first.misses).toBeGreaterThan(0); // evicted chunks were computed again
    expect(second.bytes).toBeLessThanOrEqual(bound);
  });
});
