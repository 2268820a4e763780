import {
  bucketSpec,
  bucketStart,
  bucketStarts,
  fixedBucket,
  nextBucketStart,
  parseAggregationWindow,
  tilesBuckets,
} from './aggregation-window';
import { UsageError } from './errors';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('aggregation windows', () => {
  it('lays fixed buckets on the epoch (so on UTC midnight)', () => {
    expect(bucketStart(bucketSpec('4h'), at('2024-03-05T13:59:59Z'))).toBe(at('2024-03-05T12:00:00Z'));
    expect(nextBucketStart(bucketSpec('1d'), at('2024-03-05T00:00:00Z'))).toBe(at('2024-03-06T00:00:00Z'));
  });

  it('starts weeks on Monday by default and on Thursday (Kraken, epoch-aligned) when asked', () => {
    // 2024-03-07 is a Thursday.
    expect(bucketStart(bucketSpec('1w'), at('2024-03-07T10:00:00Z'))).toBe(at('2024-03-04T00:00:00Z'));
    expect(bucketStart(bucketSpec('1w'), at('2024-03-04T00:00:00Z'))).toBe(at('2024-03-04T00:00:00Z'));
    expect(bucketStart(bucketSpec('1w'), at('2024-03-03T23:59:59Z'))).toBe(at('2024-02-26T00:00:00Z'));
    const thursday = bucketStart(bucketSpec('1w', 'thursday'), at('2024-03-06T10:00:00Z'));
    expect(thursday).toBe(at('2024-02-29T00:00:00Z'));
    expect(thursday % (7 * 86_400)).toBe(0);
  });

  it('lays months on the calendar, leap February included', () => {
    const m = bucketSpec('1mo');
    expect(bucketStart(m, at('2024-02-29T23:00:00Z'))).toBe(at('2024-02-01T00:00:00Z'));
    expect(nextBucketStart(m, at('2024-02-01T00:00:00Z'))).toBe(at('2024-03-01T00:00:00Z'));
    expect(nextBucketStart(m, at('2024-12-01T00:00:00Z'))).toBe(at('2025-01-01T00:00:00Z'));
    expect(bucketStarts(m, { from: at('2024-01-15T00:00:00Z'), to: at('2024-03-01T00:00:00Z') })).toEqual([
      at('2024-01-01T00:00:00Z'),
      at('2024-02-01T00:00:00Z'),
      at('2024-03-01T00:00:00Z'),
    ]);
  });

  it('says which stored intervals tile a window', () => {
    expect(tilesBuckets(bucketSpec('4h'), 240)).toBe(true);
    expect(tilesBuckets(bucketSpec('4h'), 1440)).toBe(false);
    expect(tilesBuckets(bucketSpec('1d'), 720)).toBe(true);
    expect(tilesBuckets(bucketSpec('1mo'), 1440)).toBe(true);
    expect(tilesBuckets(bucketSpec('1w'), 10080)).toBe(false);
    expect(tilesBuckets(bucketSpec('1w', 'thursday'), 10080)).toBe(true);
    expect(tilesBuckets(bucketSpec('1mo'), 21600)).toBe(false);
  });

  it('refuses unknown windows and buckets that do not divide a day', () => {
    expect(() => parseAggregationWindow('2h')).toThrow(UsageError);
    expect(parseAggregationWindow('1mo')).toBe('1mo');
    expect(() => fixedBucket(7 * 3600)).toThrow(UsageError);
  });
});
