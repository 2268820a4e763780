import { bucketSpec } from '../common/aggregation-window';
import { tilingIntervals } from './source-interval';

describe('tilingIntervals', () => {
  it('orders the intervals dividing a fixed bucket coarsest first', () => {
    expect(tilingIntervals(bucketSpec('4h'))).toEqual([240, 60, 30, 15, 5, 1]);
    expect(tilingIntervals(bucketSpec('1d'))).toEqual([1440, 720, 240, 60, 30, 15, 5, 1]);
    expect(tilingIntervals(bucketSpec('1m'))).toEqual([1]);
  });

  it('reads weeks from Kraken weekly candles only for Thursday weeks, never from 15-day candles', () => {
    expect(tilingIntervals(bucketSpec('1w', 'thursday'))[0]).toBe(10080);
    expect(tilingIntervals(bucketSpec('1w', 'monday'))[0]).toBe(1440);
    expect(tilingIntervals(bucketSpec('1mo'))).not.toContain(21600);
    expect(tilingIntervals(bucketSpec('1mo'))[0]).toBe(1440);
  });
});
