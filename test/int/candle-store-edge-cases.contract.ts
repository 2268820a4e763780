import { Candle, CandleStore } from '../../src/candles/candle-store';
import type { CandleStoreFixture } from './candle-store.contract';
import { CandlekeepError } from '../../src/common/errors';
import { SeriesRef } from '../../src/common/series';

/**
 * Edge cases of the CandleStore contract (run by candleStoreContract): every implementation runs
 * this same suite through its own fixture. Each test takes fresh series from
 * `newSeries()`, so tests neither see nor disturb each other's candles.
 */

const T0 = 1_704_067_200; // 2024-01-01T00:00:00Z, aligned to every interval up to a day

/** Candle i of a series: ts aligned to the series' interval, values distinct per i and per `version`. */
function candle(series: SeriesRef, i: number, version = 0, over: Partial<Candle> = {}): Candle {
  const base = 100 + i + version * 1000;
  return {
    ts: T0 + i * series.intervalMinutes * 60,
    open: base + 0.125,
    high: base + 0.5,
    low: base - 0.25,
    close: base + 0.375,
    vwap: base + 0.1,
    volume: 1.5 + i,
    trades: 10 + i,
    ...over,
  };
}

function candles(series: SeriesRef, from: number, to: number, version = 0): Candle[] {
  return Array.from({ length: to - from + 1 }, (_, k) => candle(series, from + k, version));
}

const tsOf = (series: SeriesRef, i: number) => T0 + i * series.intervalMinutes * 60;

export function candleStoreEdgeCases(name: string, setup: () => Promise<CandleStoreFixture>): void {
  describe(`CandleStore contract, edge cases: ${name}`, () => {
    let fixture: CandleStoreFixture;
    let store: CandleStore;

    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(() => fixture?.teardown());

    it('ensureSchema is idempotent', async () => {
      await store.ensureSchema();
      await store.ensureSchema();
      const s = await fixture.newSeries();
      expect(await store.count(s)).toBe(0);
    });

    it('an empty series has no candles, no extent and reads nothing', async () => {
      const s = await fixture.newSeries();
      expect(await store.count(s)).toBe(0);
      expect(await store.extent(s)).toBeNull();
      expect(await store.read(s, { from: T0, to: tsOf(s, 100) })).toEqual([]);
    });

    it('upsert stores exactly what it is given and reads it back ascending, values intact', async () => {
      const s = await fixture.newSeries();
      const given = [
        candle(s, 2),
        candle(s, 0, 0, {
          open: 0.1,
          high: 123456.789012345,
          low: 1e-8,
          close: 42000.5,
          vwap: null,
          volume: 0,
          trades: 0,
        }),
        candle(s, 1),
      ];
      expect(await store.upsert(s, given, 'csv')).toBe(3);
      const read = await store.read(s, { from: T0, to: tsOf(s, 2) });
      expect(read).toEqual([given[1], given[2], given[0]]);
      expect(read[0]!.vwap).toBeNull();
    });

    it('upsert is idempotent: re-writing candles replaces them, never duplicates', async () => {
      const s = await fixture.newSeries();
      await store.upsert(s, candles(s, 0, 9), 'csv');
      await store.upsert(s, candles(s, 0, 9), 'csv');
      expect(await store.count(s)).toBe(10);
      await store.upsert(s, [candle(s, 4, 1, { vwap: null })], 'api');
      expect(await store.count(s)).toBe(10);
      const [fourth] = await store.read(s, { from: tsOf(s, 4), to: tsOf(s, 4) });
      expect(fourth).toEqual(candle(s, 4, 1, { vwap: null }));
    });

    it('overlapping batches keep one candle per ts, the later version winning', async () => {
      const s = await fixture.newSeries();
      await store.upsert(s, candles(s, 0, 9, 0), 'csv');
      await store.upsert(s, candles(s, 5, 14, 1), 'api');
      expect(await store.count(s)).toBe(15);
      const read = await store.read(s, { from: T0, to: tsOf(s, 14) });
      expect(read.map((c) => c.ts)).toEqual(Array.from({ length: 15 }, (_, i) => tsOf(s, i)));
      expect(read.slice(0, 5)).toEqual(candles(s, 0, 4, 0));
      expect(read.slice(5)).toEqual(candles(s, 5, 14, 1));
    });

    it('range reads, counts and extents honour inclusive bounds and the limit', async () => {
      const s = await fixture.newSeries();
      await store.upsert(s, [...candles(s, 0, 4), ...candles(s, 10, 14)], 'csv'); // a hole at 5..9
      const span = { from: tsOf(s, 3), to: tsOf(s, 11) };
      expect((await store.read(s, span)).map((c) => c.ts)).toEqual([3, 4, 10, 11].map((i) => tsOf(s, i)));
      expect((await store.read(s, span, 3)).map((c) => c.ts)).toEqual([3, 4, 10].map((i) => tsOf(s, i)));
      expect(await store.count(s, span)).toBe(4);
      expect(await store.count(s)).toBe(10);
      expect(await store.count(s, { from: tsOf(s, 5), to: tsOf(s, 9) })).toBe(0);
      expect(await store.extent(s, span)).toEqual({ first: tsOf(s, 3), last: tsOf(s, 11), count: 4 });
      expect(await store.extent(s)).toEqual({ first: tsOf(s, 0), last: tsOf(s, 14), count: 10 });
      expect(await store.extent(s, { from: tsOf(s, 5), to: tsOf(s, 9) })).toBeNull();
    });

    it('series are isolated: same timestamps in another series are neither counted nor read', async () => {
      const a = await fixture.newSeries();
      const b = await fixture.newSeries();
      await store.upsert(a, candles(a, 0, 4), 'csv');
      await store.upsert(b, candles(b, 0, 1, 7), 'csv');
      expect(await store.count(a)).toBe(5);
      expect(await store.count(b)).toBe(2);
      expect(await store.read(b, { from: T0, to: tsOf(b, 4) })).toEqual(candles(b, 0, 1, 7));
    });

    it('deleteRange removes exactly the span, reports how many, and deleted candles can be written again', async () => {
      const s = await fixture.newSeries();
      await store.upsert(s, candles(s, 0, 9), 'csv');
      expect(await store.deleteRange(s, { from: tsOf(s, 3), to: tsOf(s, 6) })).toBe(4);
      expect(await store.count(s)).toBe(6);
      expect((await store.read(s, { from: T0, to: tsOf(s, 9) })).map((c) => c.ts)).toEqual(
        [0, 1, 2, 7, 8, 9].map((i) => tsOf(s, i)),
      );
      expect(await store.extent(s, { from: tsOf(s, 3), to: tsOf(s, 6) })).toBeNull();
      expect(await store.deleteRange(s, { from: tsOf(s, 3), to: tsOf(s, 6) })).toBe(0);
      await store.upsert(s, [candle(s, 4, 2)], 'api');
      expect(await store.count(s)).toBe(7);
      expect(await store.read(s, { from: tsOf(s, 4), to: tsOf(s, 4) })).toEqual([candle(s, 4, 2)]);
    });

    it('a bulk load through bulkWriter stores every row, once, and counts what was acknowledged', async () => {
      const s = await fixture.newSeries();
      await store.upsert(s, candles(s, 0, 99, 0), 'api'); // overlaps the bulk load below
      const writer = await store.bulkWriter(s, 'csv');
      for (const c of candles(s, 50, 2549, 1)) await writer.write(c);
      expect(await writer.commit()).toBe(2500);
      expect(await store.count(s)).toBe(2550);
      expect(await store.extent(s)).toEqual({ first: tsOf(s, 0), last: tsOf(s, 2549), count: 2550 });
      const edge = await store.read(s, { from: tsOf(s, 49), to: tsOf(s, 50) });
      expect(edge).toEqual([candle(s, 49, 0), candle(s, 50, 1)]);
    });

    it('an aborted bulk writer stores nothing it was not asked to commit, and refuses further use', async () => {
      const s = await fixture.newSeries();
      const writer = await store.bulkWriter(s, 'csv');
      for (const c of candles(s, 0, 2)) await writer.write(c);
      await writer.abort();
      expect(await store.count(s)).toBe(0);
      await expect((async () => writer.commit())()).rejects.toBeInstanceOf(CandlekeepError);
    });

    it('surfaces a candle that must not be stored as a typed error, storing nothing of it', async () => {
      const s = await fixture.newSeries();
      const bad = candle(s, 0, 0, { close: Number.NaN });
      await expect(store.upsert(s, [bad], 'csv')).rejects.toBeInstanceOf(CandlekeepError);
      const writer = await store.bulkWriter(s, 'csv');
      await expect(
        (async () => writer.write(candle(s, 1, 0, { volume: Number.POSITIVE_INFINITY })))(),
      ).rejects.toBeInstanceOf(CandlekeepError);
      await writer.abort();
      expect(await store.count(s)).toBe(0);
    });
  });
}
