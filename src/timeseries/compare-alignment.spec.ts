import { alignSeries } from './compare-alignment';
import { NoCommonBucketError, UnusableBaseError } from './timeseries.errors';

const s = (symbol: string, entries: Array<[number, number | null]>) => ({ symbol, values: new Map(entries) });

describe('alignSeries', () => {
  const a = s('A', [
    [100, 10],
    [200, 20],
    [300, 30],
  ]);
  const late = s('B', [
    [200, 4],
    [300, 5],
  ]);

  it('intersection keeps the buckets every symbol has; union fills the others with null', () => {
    expect(alignSeries([a, late], 'intersection', false)).toEqual({
      base_ts: 200,
      t: [200, 300],
      series: [
        { symbol: 'A', values: [20, 30] },
        { symbol: 'B', values: [4, 5] },
      ],
    });
    expect(alignSeries([a, late], 'union', false)).toEqual({
      base_ts: 200,
      t: [100, 200, 300],
      series: [
        { symbol: 'A', values: [10, 20, 30] },
        { symbol: 'B', values: [null, 4, 5] },
      ],
    });
  });

  it('normalizes to the percent change from the first common bucket, on either axis', () => {
    const r = alignSeries([a, late], 'union', true);
    expect(r.base_ts).toBe(200);
    expect(r.series[0]!.values).toEqual([-50, 0, 50]);
    expect(r.series[1]!.values).toEqual([null, 0, 25]);
  });

  it('refuses a zero or absent base value and a normalize without a common bucket', () => {
    expect(() => alignSeries([a, s('Z', [[200, 0]])], 'intersection', true)).toThrow(UnusableBaseError);
    expect(() => alignSeries([a, s('N', [[200, null]])], 'intersection', true)).toThrow(UnusableBaseError);
    expect(() => alignSeries([a, s('C', [[900, 1]])], 'union', true)).toThrow(NoCommonBucketError);
    expect(alignSeries([a, s('C', [[900, 1]])], 'intersection', false)).toMatchObject({ base_ts: null, t: [] });
  });
});
