import { toOhlcvColumns } from './ohlcv-columns';

describe('toOhlcvColumns', () => {
  it('lays buckets out as columns, a placeholder as null prices; no buckets is no_data', () => {
    const candle = {
      ts: 0,
      time: '1970-01-01T00:00:00.000Z',
      open: 1,
      high: 3,
      low: 0.5,
      close: 2,
      volume: 7,
      trades: 2,
      vwap: 1.5,
      candles: 2,
      complete: true,
      closed: true,
    };
    const hole = { ts: 60, time: '1970-01-01T00:01:00.000Z', complete: false, closed: true };
    expect(toOhlcvColumns([candle, hole], 'x')).toEqual({
      s: 'ok',
      t: [0, 60],
      o: [1, null],
      h: [3, null],
      l: [0.5, null],
      c: [2, null],
      v: [7, null],
      complete: [true, false],
      next_cursor: 'x',
    });
    expect(toOhlcvColumns([], null)).toMatchObject({ s: 'no_data', t: [], complete: [] });
  });
});
