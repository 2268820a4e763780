import { Candle, CandleStore } from '../../src/candles/candle-store';
import { CandlekeepError } from '../../src/common/errors';
import { fixedBucket } from '../../src/common/aggregation-window';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRAKEN_CSV_FIXTURES } from '../helpers/fixtures';
import { candleStoreEdgeCases } from './candle-store-edge-cases.contract';
import { SeriesRef } from '../../src/common/series';

/** What a CandleStore implementation's test gives the shared contract. */
export interface CandleStoreFixture {
  store: CandleStore;
  /** A fresh series (its asset exists) that no other test uses. */
  newSeries(): Promise<SeriesRef>;
  teardown(): Promise<void>;
}

const H = 3600;
const T0 = Date.UTC(2024, 0, 1) / 1000;

function candle(hour: number, price = 100 + hour, extra: Partial<Candle> = {}): Candle {
  // Prices stay positive and consistent whatever `price` is: every store refuses anything else (candle-check.ts).
  return {
    ts: T0 + hour * H,
    open: price,
    high: price + 2,
    low: price / 2,
    close: price + 1,
    vwap: null,
    volume: 1.5,
    trades: 3,
    ...extra,
  };
}
const hours = (from: number, to: number, price?: (h: number) => number) =>
  Array.from({ length: to - from + 1 }, (_, i) => candle(from + i, price?.(from + i)));
const hourly = (s: SeriesRef): SeriesRef => s;

/**
 * The behaviour every CandleStore must have (ARCHITECTURE.md, "Adding a candle store"): idempotent writes
 * on (asset, interval, ts), overlapping batches update and never duplicate,
 * reads/counts/extents by span, deletes, streaming bulk loads that are all or
 * nothing, and errors surfaced as CandlekeepErrors.
 */
export function candleStoreContract(name: string, setup: () => Promise<CandleStoreFixture>): void {
  describe(`CandleStore contract: ${name}`, () => {
    let fx: CandleStoreFixture;
    let store: CandleStore;

    beforeAll(async () => {
      fx = await setup();
      store = fx.store;
    });
    afterAll(() => fx.teardown());

    it('upsert is idempotent: writing the same batch twice stores it once', async () => {
      const s = hourly(await fx.newSeries());
      expect(await store.upsert(s, hours(0, 9), 'csv')).toBe(10);
      await store.upsert(s, hours(0, 9), 'csv');
      expect(await store.count(s)).toBe(10);
      expect(await store.read(s, { from: T0, to: T0 + 9 * H })).toEqual(hours(0, 9));
    });

    it('overlapping batches update the overlap and keep one candle per ts; the last write wins', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, hours(0, 9), 'csv');
      await store.upsert(
        s,
        hours(5, 14, (h) => 500 + h),
        'api',
      );
      expect(await store.count(s)).toBe(15);
      const got = await store.read(s, { from: T0 + 4 * H, to: T0 + 6 * H });
      expect(got.map((c) => c.open)).toEqual([104, 505, 506]);
      // Within one batch, a repeated ts keeps the last candle.
      await store.upsert(s, [candle(20, 1), candle(20, 2)], 'api');
      expect((await store.read(s, { from: T0 + 20 * H, to: T0 + 20 * H }))[0]!.open).toBe(2);
    });

    it('reads a span in ascending order with a limit, and stores vwap when given', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, [...hours(10, 19).reverse(), candle(30, 7, { vwap: 7.25, trades: 0, volume: 0 })], 'api');
      const got = await store.read(s, { from: T0 + 12 * H, to: T0 + 30 * H }, 3);
      expect(got.map((c) => c.ts)).toEqual([T0 + 12 * H, T0 + 13 * H, T0 + 14 * H]);
      expect(await store.read(s, { from: T0 + 30 * H, to: T0 + 30 * H })).toEqual([
        candle(30, 7, { vwap: 7.25, trades: 0, volume: 0 }),
      ]);
      expect(await store.read(s, { from: T0 + 40 * H, to: T0 + 50 * H })).toEqual([]);
    });

    it('readStored gives the candles with the source that wrote each last, paged by limit', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, hours(0, 5), 'csv');
      await store.upsert(s, [candle(3, 50, { vwap: 50.5 })], 'api');
      const all = await store.readStored(s, { from: T0, to: T0 + 5 * H });
      expect(all.map((c) => [c.ts - T0, c.source])).toEqual([
        [0, 'csv'],
        [H, 'csv'],
        [2 * H, 'csv'],
        [3 * H, 'api'],
        [4 * H, 'csv'],
        [5 * H, 'csv'],
      ]);
      expect(all[3]).toEqual({ ...candle(3, 50, { vwap: 50.5 }), source: 'api' });
      const page = await store.readStored(s, { from: T0 + 2 * H, to: T0 + 5 * H }, 2);
      expect(page.map((c) => c.ts - T0)).toEqual([2 * H, 3 * H]);
    });

    it('counts and extents by span, per series, null when empty', async () => {
      const s = await fx.newSeries();
      const other = await fx.newSeries();
      await store.upsert(s, [...hours(0, 4), ...hours(10, 14)], 'csv');
      await store.upsert(other, hours(0, 99), 'csv');
      expect(await store.count(s)).toBe(10);
      expect(await store.count(s, { from: T0 + 3 * H, to: T0 + 11 * H })).toBe(4);
      expect(await store.extent(s)).toEqual({ first: T0, last: T0 + 14 * H, count: 10 });
      expect(await store.extent(s, { from: T0 + 2 * H, to: T0 + 12 * H })).toEqual({
        first: T0 + 2 * H,
        last: T0 + 12 * H,
        count: 6,
      });
      expect(await store.extent(s, { from: T0 + 5 * H, to: T0 + 9 * H })).toBeNull();
      expect(await store.count({ ...s, intervalMinutes: 1440 })).toBe(0);
    });

    it('deletes a span and reports how many candles it removed', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, hours(0, 9), 'csv');
      expect(await store.deleteRange(s, { from: T0 + 2 * H, to: T0 + 5 * H })).toBe(4);
      expect(await store.deleteRange(s, { from: T0 + 2 * H, to: T0 + 5 * H })).toBe(0);
      expect((await store.read(s, { from: T0, to: T0 + 9 * H })).map((c) => (c.ts - T0) / H)).toEqual([
        0, 1, 6, 7, 8, 9,
      ]);
    });

    it('bulk-loads a large stream through bulkWriter; nothing is visible before commit', async () => {
      const s = await fx.newSeries();
      const writer = await store.bulkWriter(s, 'csv');
      const n = 50_000;
      for (let h = 0; h < n; h++) {
        const p = writer.write(candle(h, 100 + (h % 50)));
        if (p) await p;
      }
      expect(await store.count(s)).toBe(0);
      expect(await writer.commit()).toBe(n);
      expect(await store.count(s)).toBe(n);
      expect(await store.extent(s)).toEqual({ first: T0, last: T0 + (n - 1) * H, count: n });
      expect(await store.read(s, { from: T0 + 49_999 * H, to: T0 + 49_999 * H })).toEqual([
        candle(49_999, 100 + (49_999 % 50)),
      ]);
    });

    it('bulk writes over stored candles (and out of order) update them, never duplicate', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, hours(0, 9), 'api');
      const writer = await store.bulkWriter(s, 'csv');
      for (const c of hours(5, 14, (h) => 900 + h)) await writer.write(c);
      await writer.commit();
      expect(await store.count(s)).toBe(15);
      expect((await store.read(s, { from: T0 + 4 * H, to: T0 + 5 * H })).map((c) => c.open)).toEqual([104, 905]);

      // Starts fresh (after everything stored), then goes back in time: still one candle per ts, last write wins.
      const back = await store.bulkWriter(s, 'csv');
      for (const c of [...hours(20, 24), ...hours(0, 2, () => 1), candle(22, 5)]) await back.write(c);
      await back.commit();
      expect(await store.count(s)).toBe(20);
      expect((await store.read(s, { from: T0, to: T0 })).map((c) => c.open)).toEqual([1]);
      expect((await store.read(s, { from: T0 + 22 * H, to: T0 + 22 * H })).map((c) => c.open)).toEqual([5]);
    });

    it('abort drops everything the bulk writer was given', async () => {
      const s = await fx.newSeries();
      await store.upsert(s, hours(0, 1), 'csv');
      const writer = await store.bulkWriter(s, 'csv');
      for (const c of hours(2, 3000)) {
        const p = writer.write(c);
        if (p) await p;
      }
      await writer.abort();
      expect(await store.count(s)).toBe(2);
      // The store is still usable afterwards.
      const again = await store.bulkWriter(s, 'csv');
      await again.write(candle(5));
      expect(await again.commit()).toBe(1);
      expect(await store.count(s)).toBe(3);
    });

    it('surfaces write errors as CandlekeepErrors and keeps nothing of a failed bulk load', async () => {
      const s = await fx.newSeries();
      const misaligned = { ...candle(1), ts: T0 + 1800 };
      await expect(store.upsert(s, [candle(0), misaligned], 'csv')).rejects.toBeInstanceOf(CandlekeepError);
      expect(await store.count(s)).toBe(0);

      // A store may refuse the bad row at write() or only at commit(); either way nothing is kept.
      const writer = await store.bulkWriter(s, 'csv');
      const load = async () => {
        await writer.write(candle(0));
        await writer.write(misaligned);
        await writer.write(candle(2));
        return writer.commit();
      };
      await expect(load()).rejects.toBeInstanceOf(CandlekeepError);
      await writer.abort();
      expect(await store.count(s)).toBe(0);
      expect((await store.health()).reachable).toBe(true);
    });

    it(
      'aggregates into epoch-aligned buckets exactly: ' + "Kraken's own 720-minute rows make its 1440-minute rows",
      async () => {
        const twelveHours = { ...(await fx.newSeries()), intervalMinutes: 720 };
        const from = Date.UTC(2024, 0, 1) / 1000;
        const to = Date.UTC(2024, 5, 30) / 1000;
        const rows = (file: string) =>
          readFileSync(join(KRAKEN_CSV_FIXTURES, file), 'utf8')
            .trim()
            .split('\n')
            .map((l) => l.split(',').map(Number))
            .filter(([ts]) => ts! >= from && ts! <= to + 43_200)
            .map(([ts, open, high, low, close, volume, trades]): Candle => ({
              ts: ts!,
              open: open!,
              high: high!,
              low: low!,
              close: close!,
              volume: volume!,
              trades: trades!,
              vwap: null,
            }));
        await store.upsert(twelveHours, rows('XBTUSD_720.csv'), 'csv');
        const days = await store.aggregate(twelveHours, { from, to: to + 43_200 }, fixedBucket(86_400));
        const daily = new Map(rows('XBTUSD_1440.csv').map((c) => [c.ts, c]));
        // Every daily row is the aggregate of its two 12-hour rows; the one aggregated day without a daily row is
        // 2024-03-31, which the daily archive lacks (its 720 file holds only that day's first half).
        expect(days.filter((d) => !daily.has(d.ts)).map((d) => [d.ts, d.candles])).toEqual([
          [Date.UTC(2024, 2, 31) / 1000, 1],
        ]);
        expect(days.length).toBe(daily.size + 1);
        for (const d of days) {
          const k = daily.get(d.ts);
          if (!k) continue;
          expect({
            ts: d.ts,
            open: d.open,
            high: d.high,
            low: d.low,
            close: d.close,
            trades: d.trades,
            candles: d.candles,
            vwap: d.vwap,
          }).toEqual({
            ts: k.ts,
            open: k.open,
            high: k.high,
            low: k.low,
            close: k.close,
            trades: k.trades,
            candles: 2,
            vwap: null,
          });
          expect(Math.abs(d.volume - k.volume)).toBeLessThanOrEqual(1e-8 * Math.max(1, k.volume));
        }
        // With vwap on every candle: the volume-weighted mean of the parts.
        const hourly = await fx.newSeries();
        await store.upsert(
          hourly,
          [candle(0, 100, { vwap: 10, volume: 1 }), candle(1, 100, { vwap: 20, volume: 3 })],
          'api',
        );
        const [bucket] = await store.aggregate(hourly, { from: T0, to: T0 + H }, fixedBucket(7200));
        expect(bucket).toMatchObject({ ts: T0, candles: 2, volume: 4, trades: 6 });
        expect(bucket!.vwap).toBeCloseTo(17.5, 10);
      },
    );
  });
  candleStoreEdgeCases(name, setup);
}
