import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CandleStore } from '../../src/candles/candle-store';
import { Clock } from '../../src/common/clock';
import { CommonModule } from '../../src/common/common.module';
import { SeriesRef } from '../../src/common/series';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { FillMode } from '../../src/timeseries/bucket-completeness';
import { TimeseriesModule } from '../../src/timeseries/timeseries.module';
import { TimeseriesQuery, TimeseriesService } from '../../src/timeseries/timeseries.service';
import { timeseriesJson } from '../../src/api/timeseries-json';
import { storesUnderTest } from '../helpers/candle-stores';
import { runCliInProcess } from '../helpers/cli-in-process';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { at, GAP, M, NOW, PART_A, writeScenario } from '../helpers/timeseries-scenario';

/** A clock a test moves (the pinned CANDLEKEEP_NOW cannot). */
class MovableClock extends Clock {
  constructor(private nowMs: number) {
    super(null);
  }
  set(iso: string): void {
    this.nowMs = Date.parse(iso);
  }
  override now(): Date {
    return new Date(this.nowMs);
  }
}

const FILLS: FillMode[] = ['none', 'prev', 'null'];

/**
 * The page cache is exact: every answer equals the one the same process computes with the caches off, before and
 * after each thing a page depends on changes — a candle written by another process (replica), coverage that
 * changes with no candle written (a no-trade proof), the clock passing a bucket's end — while a repeated query
 * hands back the very page it cached.
 */
describe.each(storesUnderTest('bucket page cache'))('bucket page cache on the $kind store', (store) => {
  let db: TestDatabase;
  let dir: string;
  const modules: TestingModule[] = [];
  let cached: TimeseriesService;
  let uncached: TimeseriesService;
  let writer: CandleStore;
  let ds: DataSource;
  let clock: MovableClock;
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    CANDLEKEEP_NOW: NOW,
    LOG_LEVEL: 'error',
    ...store.env(db),
    ...extra,
  });

  async function open(extra: Record<string, string>, moved?: MovableClock): Promise<TestingModule> {
    let builder = Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig(env(extra))), CommonModule, DatabaseModule, TimeseriesModule],
    });
    if (moved) builder = builder.overrideProvider(Clock).useValue(moved);
    const m = await builder.compile();
    m.useLogger(false);
    await m.init();
    modules.push(m);
    return m;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-page-cache-'));
    writeScenario(dir);
    const ingest = await runCliInProcess(['ingest', '--csv', dir, '--no-api', '--json'], env());
    expect(ingest.code).toBe(0);
    clock = new MovableClock(Date.parse(NOW));
    cached = (await open({}, clock)).get(TimeseriesService);
    uncached = (await open({ AGGREGATE_CACHE_MB: '0' }, clock)).get(TimeseriesService);
    const other = await open({}); // another replica: its writes reach the first one only through the database
    writer = other.get(CandleStore);
    ds = other.get(DataSource);
  });
  afterAll(async () => {
    for (const m of modules) await m.close();
    await store.drop(db);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const QUERIES: Array<Partial<TimeseriesQuery>> = FILLS.flatMap((fill) => [
    { window: '5m', from: at('19:30'), to: at('21:00'), fill },
    { window: '15m', from: at('12:00'), fill, limit: 7 },
    { window: '1h', fill },
  ]);

  /** Every query answers as the uncached service does; returns the cached answers' pages. */
  async function expectExact(): Promise<unknown[]> {
    const pages: unknown[] = [];
    for (const q of QUERIES) {
      const query: TimeseriesQuery = { symbol: 'XBTUSDT', window: '5m', ...q };
      const [a, b] = await Promise.all([cached.query(query), uncached.query(query)]);
      expect(a).toEqual(b);
      expect(timeseriesJson(a)).toBe(JSON.stringify(b));
      if (a.next_cursor) {
        const next = { ...query, cursor: a.next_cursor };
        expect(await cached.query(next)).toEqual(await uncached.query(next));
      }
      pages.push(a.data);
    }
    return pages;
  }

  it('a repeated query gets the page it cached, frozen, and its JSON is JSON.stringify of the answer', async () => {
    const first = await expectExact();
    const again = await expectExact();
    again.forEach((page, i) => expect(page).toBe(first[i]));
    expect(Object.isFrozen(first[0])).toBe(true);
  });

  it('a candle another replica writes inside a cached page is in the next answer', async () => {
    const before = await expectExact();
    const series: SeriesRef = { assetId: await assetId(), symbol: 'BTC-USDT-SPOT', intervalMinutes: 1 };
    const c = { ts: GAP.from + 5 * M, open: 1, high: 2, low: 0.5, close: 1.5, vwap: null, volume: 3, trades: 4 };
    expect(await writer.upsert(series, [c], 'api')).toBe(1);
    const after = await expectExact();
    expect(after[0]).not.toBe(before[0]);
    const r = await cached.query({ symbol: 'XBTUSDT', window: '5m', from: GAP.from, to: GAP.from + 5 * M });
    expect(r.data.map((b) => b.ts)).toEqual([GAP.from + 5 * M]);
  });

  it('coverage that changes with no candle written (a no-trade proof) changes the cached pages', async () => {
    const q: TimeseriesQuery = { symbol: 'XBTUSDT', window: '5m', from: GAP.from, to: GAP.to - M, fill: 'null' };
    const before = await cached.query(q);
    expect(before.data.every((b) => !b.complete)).toBe(true);
    await ds.query(
      `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts, candle_count)
       VALUES ($1, 1, to_timestamp($2), to_timestamp($3), 0)`,
      [await assetId(), PART_A[PART_A.length - 1]!.ts + M, GAP.to - M],
    );
    const after = await cached.query(q);
    expect(after).toEqual(await uncached.query(q));
    expect(after.data.every((b) => b.complete)).toBe(true);
    await expectExact();
  });

  it('the clock passing a bucket end closes it in the cached page', async () => {
    const q: TimeseriesQuery = { symbol: 'XBTUSDT', window: '1h', from: at('23:00'), fill: 'null' };
    const before = await cached.query(q);
    expect(before.data.map((b) => b.closed)).toEqual([true, false]); // 23:00 closed, 00:00 still open at 00:17
    clock.set('2025-11-11T01:00:00Z');
    const after = await cached.query(q);
    expect(after).toEqual(await uncached.query(q));
    expect(after.data.map((b) => b.closed)).toEqual([true, true, false]);
    clock.set(NOW);
  });

  async function assetId(): Promise<number> {
    const [row] = await ds.query<Array<{ id: number }>>(`SELECT id FROM assets WHERE symbol = 'BTC-USDT-SPOT'`);
    return row!.id;
  }
});
