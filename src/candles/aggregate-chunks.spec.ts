import { bucketSpec, bucketStart, BucketSpec, nextBucketStart } from '../common/aggregation-window';
import { UsageError } from '../common/errors';
import { chunkStart, nextChunkStart, planAggregate } from './aggregate-chunks';

const at = (iso: string) => Date.parse(iso) / 1000;
const H = 3600;

describe('aggregate chunks', () => {
  it('keeps whole buckets apart from the buckets the span cuts, given the candles of the series interval', () => {
    const hour = bucketSpec('1h');
    // 1-minute candles, 10:17 → 13:42: 10:00 and 13:00 are cut, 11:00 and 12:00 whole.
    expect(planAggregate(hour, { from: at('2024-01-01T10:17:00Z'), to: at('2024-01-01T13:42:00Z') }, 60)).toEqual({
      whole: { start: at('2024-01-01T11:00:00Z'), end: at('2024-01-01T13:00:00Z') },
      head: { from: at('2024-01-01T10:17:00Z'), to: at('2024-01-01T10:59:59Z') },
      tail: { from: at('2024-01-01T13:00:00Z'), to: at('2024-01-01T13:42:00Z') },
    });
    // Open times of whole buckets, as the time-series service asks: up to the last candle of the last bucket.
    expect(planAggregate(hour, { from: at('2024-01-01T10:00:00Z'), to: at('2024-01-01T13:59:00Z') }, 60)).toEqual({
      whole: { start: at('2024-01-01T10:00:00Z'), end: at('2024-01-01T14:00:00Z') },
      head: null,
      tail: null,
    });
    // The same span over hourly candles: 13:00's only candle is in it, so the bucket is whole.
    expect(planAggregate(hour, { from: at('2024-01-01T10:00:00Z'), to: at('2024-01-01T13:00:00Z') }, H).whole).toEqual({
      start: at('2024-01-01T10:00:00Z'),
      end: at('2024-01-01T14:00:00Z'),
    });
    // Inside one bucket, or empty: the span as it is, nothing whole.
    const inside = { from: at('2024-01-01T10:05:00Z'), to: at('2024-01-01T10:10:00Z') };
    expect(planAggregate(hour, inside, 60)).toEqual({ whole: null, head: inside, tail: null });
    const empty = { from: at('2024-01-02T00:00:00Z'), to: at('2024-01-01T00:00:00Z') };
    expect(planAggregate(hour, empty, 60)).toEqual({ whole: null, head: empty, tail: null });
  });

  it('refuses a fixed bucket that does not divide a day, as the stores do', () => {
    expect(() => planAggregate({ kind: 'fixed', seconds: 7 * H }, { from: 0, to: 86_400 }, H)).toThrow(UsageError);
  });

  it('lays chunks out aligned and adjacent, each made of whole buckets: up to 512 fixed, 52 weeks, a year', () => {
    const specs: Array<[BucketSpec, number, number]> = [
      [bucketSpec('1h'), 60, 512], // 30,720 candles
      [bucketSpec('1h'), H, 512],
      [bucketSpec('4h'), 60, 128], // 30,720 candles, not 122,880
      [bucketSpec('1d'), 60, 16], // 23,040 candles, not 737,280
      [bucketSpec('1d'), H, 512],
      [bucketSpec('1w', 'monday'), 60, 52],
      [bucketSpec('1w', 'thursday'), 86_400, 52],
    ];
    for (const [spec, step, n] of specs) {
      const c = chunkStart(spec, at('2025-06-15T07:00:00Z'), step);
      expect(bucketStart(spec, c)).toBe(c);
      expect(c).toBeLessThanOrEqual(at('2025-06-15T07:00:00Z'));
      const next = nextChunkStart(spec, c, step);
      expect(next).toBeGreaterThan(at('2025-06-15T07:00:00Z'));
      expect(chunkStart(spec, next, step)).toBe(next);
      expect(chunkStart(spec, next - 1, step)).toBe(c);
      let buckets = 0;
      for (let b = c; b < next; b = nextBucketStart(spec, b)) buckets++;
      expect(buckets).toBe(n);
    }
    expect(chunkStart(bucketSpec('1h'), 0, 60)).toBe(0);
    expect(new Date(chunkStart(bucketSpec('1w', 'monday'), at('2025-06-15T07:00:00Z'), 60) * 1000).getUTCDay()).toBe(1);
    const month = bucketSpec('1mo');
    expect(chunkStart(month, at('2024-02-29T12:00:00Z'), 60)).toBe(at('2024-01-01T00:00:00Z'));
    expect(nextChunkStart(month, at('2024-01-01T00:00:00Z'), 60)).toBe(at('2025-01-01T00:00:00Z'));
  });
});
