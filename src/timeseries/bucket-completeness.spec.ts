import { CandleBucket } from '../candles/candle-store';
import { assembleBuckets, BucketBounds, bucketComplete, coveredSeconds } from './bucket-completeness';

const H = 3600;
// Hourly buckets read from 15-minute candles; coverage [0, 2h45] and [4h, 4h45]: the hour from 3h is uncovered.
const step = 900;
const covered = [
  { from: 0, to: 2 * H + 2700 },
  { from: 4 * H, to: 4 * H + 2700 },
];
const bounds: BucketBounds[] = [0, 1, 2, 3, 4, 5].map((h) => ({ start: h * H, end: (h + 1) * H }));
const candle = (ts: number, close: number): CandleBucket => ({
  ts,
  open: close - 1,
  high: close + 1,
  low: close - 2,
  close,
  volume: 2,
  trades: 3,
  vwap: close,
  candles: 4,
});
// Candles in hours 0 and 2; hour 1 and hour 4 are covered and empty (no trades), hour 3 and 5 uncovered.
const aggregated = [candle(0, 10), candle(2 * H, 12)];
const base = { bounds, aggregated, covered, step, now: 5 * H + 60, prevClose: null };

describe('bucketComplete / coveredSeconds', () => {
  it('a bucket is complete when one coverage span holds every candle open time of it', () => {
    expect(bounds.map((b) => bucketComplete(b, covered, step))).toEqual([true, true, true, false, true, false]);
    expect(bucketComplete({ start: 2 * H, end: 3 * H + 900 }, covered, step)).toBe(false);
  });

  it('counts covered seconds inside a window, each covered open time standing for its candle', () => {
    expect(coveredSeconds({ start: 0, end: 6 * H }, covered, step)).toBe(4 * H);
    expect(coveredSeconds({ start: 2 * H + 1800, end: 4 * H + 900 }, covered, step)).toBe(1800 + 900);
  });
});

describe('assembleBuckets', () => {
  it('fill=none lists the buckets holding candles, each saying whether it is complete and closed', () => {
    const { buckets, prevClose } = assembleBuckets({ ...base, fill: 'none' });
    expect(buckets.map((b) => [b.ts / H, b.complete, b.closed])).toEqual([
      [0, true, true],
      [2, true, true],
    ]);
    expect(prevClose).toBe(12);
  });

  it('fill=prev adds flat candles at the previous close only where coverage proves no trades', () => {
    const { buckets } = assembleBuckets({ ...base, fill: 'prev', prevClose: 9 });
    expect(buckets.map((b) => b.ts / H)).toEqual([0, 1, 2, 4]);
    expect(buckets[1]).toEqual({
      ts: H,
      time: '1970-01-01T01:00:00.000Z',
      open: 10,
      high: 10,
      low: 10,
      close: 10,
      volume: 0,
      trades: 0,
      vwap: null,
      candles: 0,
      complete: true,
      closed: true,
    });
    expect(buckets[3]).toMatchObject({ open: 12, close: 12, candles: 0 });
  });

  it('fill=prev takes the close from before the buckets, and fills nothing when none is known', () => {
    const later = bounds.slice(1);
    expect(assembleBuckets({ ...base, bounds: later, fill: 'prev', prevClose: 9 }).buckets[0]).toMatchObject({
      ts: H,
      close: 9,
    });
    expect(assembleBuckets({ ...base, bounds: later, fill: 'prev' }).buckets.map((b) => b.ts / H)).toEqual([2, 4]);
  });

  it('fill=null adds a placeholder for every empty bucket: candles 0 when covered, complete false when not', () => {
    const { buckets } = assembleBuckets({ ...base, fill: 'null' });
    expect(buckets.slice(1).map((b) => (b.ts === 2 * H ? 'data' : b))).toEqual([
      { ts: H, time: '1970-01-01T01:00:00.000Z', complete: true, candles: 0, closed: true },
      'data',
      { ts: 3 * H, time: '1970-01-01T03:00:00.000Z', complete: false, closed: true },
      { ts: 4 * H, time: '1970-01-01T04:00:00.000Z', complete: true, candles: 0, closed: true },
      { ts: 5 * H, time: '1970-01-01T05:00:00.000Z', complete: false, closed: false },
    ]);
  });
});
