import { Candle, CandleBucket, CandleStore } from '../../src/candles/candle-store';
import { CandlekeepError } from '../../src/common/errors';
import { BucketSpec, fixedBucket } from '../../src/common/aggregation-window';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRAKEN_API_FIXTURES, KRAKEN_CSV_FIXTURES } from '../helpers/fixtures';
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

const DAY = 86_400;

/** A Kraken OHLCVT archive's rows (time,open,high,low,close,volume,trades; no vwap) with open time in [from, to]. */
export function csvCandles(file: string, from = -Infinity, to = Infinity): Candle[] {
  return readFileSync(join(KRAKEN_CSV_FIXTURES, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number))
    .filter(([ts]) => ts! >= from && ts! <= to)
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
}

/** Kraken's recorded 1-minute OHLC answer (with vwap), without its last row: the candle still open then. */
export function apiMinuteCandles(): Candle[] {
  const body = JSON.parse(readFileSync(join(KRAKEN_API_FIXTURES, 'ohlc_XBTUSDT_1m_2025-11-11.json'), 'utf8')) as {
    result: Record<string, Array<[number, string, string, string, string, string, string, number]>>;
  };
  const rows = body.result['XBTUSDT']!;
  return rows.slice(0, -1).map(([ts, open, high, low, close, vwap, volume, trades]) => ({
    ts,
    open: Number(open),
    high: Number(high),
    low: Number(low),
    close: Number(close),
    vwap: Number(vwap),
    volume: Number(volume),
    trades,
  }));
}

/** Volume as Kraken writes it, 8 decimals: a sum of 8-decimal volumes equals its oracle once rounded so. */
const kraken8 = (v: number) => Math.round(v * 1e8) / 1e8;

/** A bucket's fields as compared with an oracle: volume at Kraken's 8 decimals, vwap at 12 significant digits. */
function comparable(b: CandleBucket): CandleBucket {
  return { ...b, volume: kraken8(b.volume), vwap: b.vwap === null ? null : Number(b.vwap.toPrecision(12)) };
}

/**
 * The oracle computed in the test from the rows themselves: grouped by `key` (not by bucketStart, which is what
 * the stores are checked against), in ts order, by the rule of CandleStore.aggregate.
 */
function aggregateRows(rows: readonly Candle[], key: (ts: number) => number): CandleBucket[] {
  const groups = new Map<number, Candle[]>();
  for (const c of [...rows].sort((a, b) => a.ts - b.ts)) {
    const k = key(c.ts);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, cs]) => {
      const volume = cs.reduce((v, c) => v + c.volume, 0);
      const vwap =
        cs.every((c) => c.vwap !== null) && volume > 0 ? cs.reduce((v, c) => v + c.vwap! * c.volume, 0) / volume : null;
      return comparable({
        ts,
        open: cs[0]!.open,
        high: Math.max(...cs.map((c) => c.high)),
        low: Math.min(...cs.map((c) => c.low)),
        close: cs[cs.length - 1]!.close,
        volume,
        trades: cs.reduce((n, c) => n + c.trades, 0),
        vwap,
        candles: cs.length,
      });
    });
}

/** The UTC midnight starting the week holding `ts` that starts on `weekday` (0 Sunday … 6 Saturday). */
const weekFrom = (weekday: number) => (ts: number) => {
  const day = Math.floor(ts / DAY) * DAY;
  return day - ((new Date(day * 1000).getUTCDay() - weekday + 7) % 7) * DAY;
};
const monthOf = (ts: number) => {
  const d = new Date(ts * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
};

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

    it('finds the first and last stored candle of a span, per series, null when none', async () => {
      const s = await fx.newSeries();
      const other = await fx.newSeries();
      await store.upsert(s, [...hours(0, 4), ...hours(10, 14)], 'csv');
      await store.upsert(other, hours(0, 99), 'csv');
      const whole = { from: 0, to: T0 + 1000 * H };
      expect(await store.edgeCandle(s, whole, 'first')).toEqual(hours(0, 0)[0]);
      expect(await store.edgeCandle(s, whole, 'last')).toEqual(hours(14, 14)[0]);
      expect((await store.edgeCandle(s, { from: T0 + 5 * H, to: T0 + 12 * H }, 'first'))?.ts).toBe(T0 + 10 * H);
      expect((await store.edgeCandle(s, { from: T0 + 2 * H, to: T0 + 9 * H }, 'last'))?.ts).toBe(T0 + 4 * H);
      expect(await store.edgeCandle(s, { from: T0 + 5 * H, to: T0 + 9 * H }, 'first')).toBeNull();
      expect(await store.edgeCandle(s, { from: T0 + 5 * H, to: T0 + 9 * H }, 'last')).toBeNull();
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
  });
  candleStoreAggregationContract(name, setup);
  candleStoreEdgeCases(name, setup);
}

/**
 * CandleStore.aggregate on real rows (the oracles of ARCHITECTURE.md): part of the contract, and run alone on
 * stores that only change how aggregates are served (CachedCandleStore).
 */
export function candleStoreAggregationContract(name: string, setup: () => Promise<CandleStoreFixture>): void {
  describe(`CandleStore contract, aggregation: ${name}`, () => {
    let fx: CandleStoreFixture;
    let store: CandleStore;

    beforeAll(async () => {
      fx = await setup();
      store = fx.store;
    });
    afterAll(() => fx?.teardown());

    it(
      'aggregates into epoch-aligned buckets exactly: ' +
        "Kraken's own 720-minute rows make its 1440-minute rows, and its 60-minute archives its 720-minute rows",
      async () => {
        const twelveHours = { ...(await fx.newSeries()), intervalMinutes: 720 };
        const from = Date.UTC(2024, 0, 1) / 1000;
        const to = Date.UTC(2024, 5, 30) / 1000;
        await store.upsert(twelveHours, csvCandles('XBTUSD_720.csv', from, to + 43_200), 'csv');
        const days = await store.aggregate(twelveHours, { from, to: to + 43_200 }, fixedBucket(DAY));
        const daily = new Map(csvCandles('XBTUSD_1440.csv', from, to).map((c) => [c.ts, c]));
        // Every daily row is the aggregate of its two 12-hour rows; the one aggregated day without a daily row is
        // 2024-03-31, which the daily archive lacks (its 720 file holds only that day's first half).
        expect(days.filter((d) => !daily.has(d.ts)).map((d) => [d.ts, d.candles])).toEqual([
          [Date.UTC(2024, 2, 31) / 1000, 1],
        ]);
        expect(days.length).toBe(daily.size + 1);
        for (const d of days) {
          const k = daily.get(d.ts);
          if (k) expect(comparable(d)).toEqual({ ...k, volume: kraken8(k.volume), candles: 2 });
        }

        // The 60-minute archives overlap the 720 file on 2013-10-06 21:00 → 2014-04-28 23:00 (aironav) and
        // 2022-09-04 10:00 → 2023-01-07 09:00 (avkhimen). Every 12-hour bucket inside them is exactly the 720 row
        // (hours without trades have no row, so a bucket holds up to 12). The only rows that differ are the two
        // buckets the avkhimen slice cuts: 2022-09-04 00:00 (the slice has its last 2 hours) and 2023-01-07 00:00
        // (its first 10): those are the aggregate of the hours present, and the 720 row holds the whole bucket.
        const hourly60 = await fx.newSeries();
        const twelve = new Map(csvCandles('XBTUSD_720.csv').map((c) => [c.ts, c]));
        let exact = 0;
        for (const file of ['aironav-bitcoin/XBTUSD_60.csv', 'avkhimen-crypto_trader/XBTUSD_60.csv']) {
          const hours60 = csvCandles(file);
          await store.upsert(hourly60, hours60, 'csv');
          const span = { from: hours60[0]!.ts, to: hours60[hours60.length - 1]!.ts };
          const buckets = await store.aggregate(hourly60, span, fixedBucket(43_200));
          expect(buckets.map(comparable)).toEqual(aggregateRows(hours60, (ts) => Math.floor(ts / 43_200) * 43_200));
          const differing = buckets.filter((b) => {
            const k = twelve.get(b.ts)!;
            const { candles, ...rest } = comparable(b);
            expect(candles).toBeLessThanOrEqual(12);
            return JSON.stringify(rest) !== JSON.stringify({ ...k, volume: kraken8(k.volume) });
          });
          exact += buckets.length - differing.length;
          expect(differing.map((b) => [new Date(b.ts * 1000).toISOString(), b.candles])).toEqual(
            file.startsWith('avkhimen')
              ? [
                  ['2022-09-04T00:00:00.000Z', 2],
                  ['2023-01-07T00:00:00.000Z', 10],
                ]
              : [],
          );
        }
        expect(exact).toBe(395 + 249);
      },
    );

    it("aggregates into Monday weeks and Thursday weeks (Kraken's, epoch-aligned) on real daily rows", async () => {
      const daily = { ...(await fx.newSeries()), intervalMinutes: 1440 };
      const rows = csvCandles('XBTUSD_1440.csv');
      await store.upsert(daily, rows, 'csv');
      const span = { from: rows[0]!.ts, to: rows[rows.length - 1]!.ts };
      const cases: Array<[BucketSpec, number]> = [
        [{ kind: 'week', start: 'monday' }, 1],
        [{ kind: 'week', start: 'thursday' }, 4],
      ];
      for (const [spec, weekday] of cases) {
        const weeks = await store.aggregate(daily, span, spec);
        expect(weeks.map((w) => new Date(w.ts * 1000).getUTCDay()).every((d) => d === weekday)).toBe(true);
        expect(weeks.map(comparable)).toEqual(aggregateRows(rows, weekFrom(weekday)));
        // The first daily row, Sunday 2013-10-06, ends a Monday week and starts none of the Thursday ones.
        expect(weeks[0]!.ts).toBe(weekday === 1 ? Date.UTC(2013, 8, 30) / 1000 : Date.UTC(2013, 9, 3) / 1000);
      }
    });

    it('aggregates into calendar months (UTC): a leap February, 31-day months, a month missing a day', async () => {
      const daily = { ...(await fx.newSeries()), intervalMinutes: 1440 };
      const rows = csvCandles('XBTUSD_1440.csv', Date.UTC(2023, 11, 1) / 1000, Date.UTC(2024, 4, 31) / 1000);
      await store.upsert(daily, rows, 'csv');
      const months = await store.aggregate(
        daily,
        { from: Date.UTC(2023, 11, 1) / 1000, to: Date.UTC(2024, 4, 31) / 1000 },
        { kind: 'month' },
      );
      expect(months.map((m) => [new Date(m.ts * 1000).toISOString().slice(0, 10), m.candles])).toEqual([
        ['2023-12-01', 31],
        ['2024-01-01', 31],
        ['2024-02-01', 29],
        ['2024-03-01', 30], // the daily archive lacks 2024-03-31
        ['2024-04-01', 30],
        ['2024-05-01', 31],
      ]);
      expect(months.map(comparable)).toEqual(aggregateRows(rows, monthOf));
    });

    it('a bucket straddling an edge of the span holds only the candles inside it; empty buckets are absent', async () => {
      const hourly60 = await fx.newSeries();
      const rows = csvCandles('aironav-bitcoin/XBTUSD_60.csv');
      await store.upsert(hourly60, rows, 'csv');
      // 2013-11-20 05:00 (a Wednesday) → 2013-12-20 17:00: both edges inside a day, a week and a 4-hour bucket.
      const span = { from: Date.UTC(2013, 10, 20, 5) / 1000, to: Date.UTC(2013, 11, 20, 17) / 1000 };
      const inSpan = rows.filter((c) => c.ts >= span.from && c.ts <= span.to);
      const cases: Array<[BucketSpec, (ts: number) => number]> = [
        [fixedBucket(DAY), (ts) => Math.floor(ts / DAY) * DAY],
        [{ kind: 'week', start: 'monday' }, weekFrom(1)],
        [fixedBucket(4 * H), (ts) => Math.floor(ts / (4 * H)) * 4 * H],
      ];
      for (const [spec, key] of cases) {
        expect((await store.aggregate(hourly60, span, spec)).map(comparable)).toEqual(aggregateRows(inSpan, key));
      }
      const [first] = await store.aggregate(hourly60, span, fixedBucket(DAY));
      // The bucket's start, not the span's; 19 of the day's 24 hourly rows.
      expect(first).toMatchObject({ ts: Date.UTC(2013, 10, 20) / 1000, candles: 19 });
      expect(rows.filter((c) => c.ts >= first!.ts && c.ts < first!.ts + DAY)).toHaveLength(24);
      // 2013's archive has hours without trades, hence without rows: their 1-hour buckets are absent, not empty.
      const hours = await store.aggregate(hourly60, span, fixedBucket(H));
      expect(hours.map((b) => b.ts)).toEqual(inSpan.map((c) => c.ts));
      expect((span.to - span.from) / H + 1 - hours.length).toBe(68); // of 733 hours, 665 have a row
      expect(hours.every((b) => b.candles === 1)).toBe(true);
    });

    it('vwap is volume-weighted over the parts, null when a part has none or the bucket has no volume', async () => {
      const minutes = { ...(await fx.newSeries()), intervalMinutes: 1 };
      const rows = apiMinuteCandles();
      await store.upsert(minutes, rows, 'api');
      const span = { from: rows[0]!.ts, to: rows[rows.length - 1]!.ts };
      const hour = (ts: number) => Math.floor(ts / H) * H;
      expect((await store.aggregate(minutes, span, fixedBucket(H))).map(comparable)).toEqual(aggregateRows(rows, hour));
      // One minute of 2025-11-10 18:00 re-written from an archive, without vwap: that hour's vwap is unknown.
      const lacking = rows.find((c) => c.ts === Date.UTC(2025, 10, 10, 18, 30) / 1000)!;
      await store.upsert(minutes, [{ ...lacking, vwap: null }], 'csv');
      const rewritten = rows.map((c) => (c === lacking ? { ...c, vwap: null } : c));
      const hours = await store.aggregate(minutes, span, fixedBucket(H));
      expect(hours.map(comparable)).toEqual(aggregateRows(rewritten, hour));
      expect(hours.filter((b) => b.vwap === null).map((b) => b.ts)).toEqual([hour(lacking.ts)]);
      // Kraken's count-0 minutes (volume 0, vwap 0): a bucket of only those has no volume-weighted price.
      const idle = rows.filter((c) => c.volume === 0).slice(0, 2);
      const quiet = { ...(await fx.newSeries()), intervalMinutes: 1 };
      await store.upsert(quiet, idle, 'api');
      const [still] = await store.aggregate(quiet, { from: idle[0]!.ts, to: idle[1]!.ts }, fixedBucket(DAY));
      expect(still).toMatchObject({ candles: 2, volume: 0, trades: 0, vwap: null });
      // With vwap on every candle: the volume-weighted mean of the parts.
      const two = await fx.newSeries();
      await store.upsert(
        two,
        [candle(0, 100, { vwap: 10, volume: 1 }), candle(1, 100, { vwap: 20, volume: 3 })],
        'api',
      );
      const [bucket] = await store.aggregate(two, { from: T0, to: T0 + H }, fixedBucket(7200));
      expect(bucket).toMatchObject({ ts: T0, candles: 2, volume: 4, trades: 6 });
      expect(bucket!.vwap).toBeCloseTo(17.5, 10);
    });

    it('refuses a fixed bucket that does not divide a day, as a typed error', async () => {
      const s = await fx.newSeries();
      await expect(
        store.aggregate(s, { from: T0, to: T0 + DAY }, { kind: 'fixed', seconds: 7 * H }),
      ).rejects.toBeInstanceOf(CandlekeepError);
    });
  });
}
