import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KRAKEN_FIXTURES as FIXTURES } from '../../test/helpers/fixtures';
import { TradeCandleBuilder, TradeTick } from './trade-candle-builder';

describe('TradeCandleBuilder', () => {
  it('aggregates trades into candles: first/extremes/last price, summed volume, vwap and count', () => {
    const b = new TradeCandleBuilder(1);
    const t0 = 1_700_000_040; // aligned to the minute
    const done = b.add([
      { time: t0 + 1.5, price: 10, volume: 1 },
      { time: t0 + 20, price: 12, volume: 3 },
      { time: t0 + 59.999, price: 9, volume: 1 },
      { time: t0 + 60, price: 11, volume: 2 }, // next minute
    ]);
    expect(done).toEqual([
      { ts: t0, open: 10, high: 12, low: 9, close: 9, volume: 5, vwap: (10 + 36 + 9) / 5, trades: 3 },
    ]);
    expect(b.pendingTs).toBe(t0 + 60);
    expect(b.flush()).toEqual([
      { ts: t0 + 60, open: 11, high: 11, low: 11, close: 11, volume: 2, vwap: 11, trades: 1 },
    ]);
    expect(b.flush()).toEqual([]);
  });

  it('keeps a candle open across pages and leaves no candle for minutes without trades', () => {
    const b = new TradeCandleBuilder(1);
    const t0 = 1_700_000_040;
    expect(b.add([{ time: t0 + 1, price: 1, volume: 1 }])).toEqual([]);
    const done = b.add([
      { time: t0 + 2, price: 2, volume: 1 },
      { time: t0 + 300, price: 3, volume: 1 }, // four empty minutes in between
    ]);
    expect(done.map((c) => [c.ts, c.open, c.close, c.trades])).toEqual([[t0, 1, 2, 2]]);
    expect(b.flush().map((c) => c.ts)).toEqual([t0 + 300]);
  });

  it('refuses trades out of time order', () => {
    const b = new TradeCandleBuilder(60);
    b.add([{ time: 7200, price: 1, volume: 1 }]);
    expect(() => b.add([{ time: 3600, price: 1, volume: 1 }])).toThrow(RangeError);
  });

  it('rebuilds the real BCHEUR trade sample into candles consistent with its trades', () => {
    const trades: TradeTick[] = readFileSync(resolve(FIXTURES, 'csv/trades-freqtrade-testdata/BCHEUR.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [time, price, volume] = l.split(',').map(Number);
        return { time: time!, price: price!, volume: volume! };
      });
    const b = new TradeCandleBuilder(60);
    const candles = [...b.add(trades), ...b.flush()];
    expect(candles.reduce((n, c) => n + c.trades, 0)).toBe(trades.length);
    expect(candles.reduce((v, c) => v + c.volume, 0)).toBeCloseTo(
      trades.reduce((v, t) => v + t.volume, 0),
      9,
    );
    for (const c of candles) {
      expect(c.ts % 3600).toBe(0);
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.vwap!).toBeGreaterThanOrEqual(c.low);
      expect(c.vwap!).toBeLessThanOrEqual(c.high);
    }
    const first = candles[0]!;
    const firstHour = trades.filter((t) => Math.floor(t.time / 3600) * 3600 === first.ts);
    expect(first.open).toBe(firstHour[0]!.price);
    expect(first.close).toBe(firstHour[firstHour.length - 1]!.price);
  });
});

describe('TradeCandleBuilder against Kraken’s own candles', () => {
  it(
    'rebuilds the hour 2020-12-05T16:00Z from real XXBTZUSD trades ' + 'exactly as Kraken’s OHLC endpoint served it',
    () => {
      const tradesBody = JSON.parse(readFileSync(resolve(FIXTURES, 'api/trades_XXBTZUSD_2020-12-05.json'), 'utf8'));
      const ohlcBody = JSON.parse(readFileSync(resolve(FIXTURES, 'api/ohlc_XXBTZUSD_60m_2020-12-05.json'), 'utf8'));
      const rows: Array<[string, string, number]> = tradesBody.result.XXBTZUSD;
      const b = new TradeCandleBuilder(60);
      const built = [
        ...b.add(rows.map(([p, v, t]) => ({ price: Number(p), volume: Number(v), time: t }))),
        ...b.flush(),
      ];
      // The recorded trades start mid-hour 15:00 and end mid-hour 17:00: only 16:00 is whole.
      const hour = Date.UTC(2020, 11, 5, 16) / 1000;
      const mine = built.find((c) => c.ts === hour)!;
      const theirs = (
        ohlcBody.result.XXBTZUSD as Array<[number, string, string, string, string, string, string, number]>
      ).find((r) => r[0] === hour)!;
      expect(mine.open).toBe(Number(theirs[1]));
      expect(mine.high).toBe(Number(theirs[2]));
      expect(mine.low).toBe(Number(theirs[3]));
      expect(mine.close).toBe(Number(theirs[4]));
      expect(Math.abs(mine.volume - Number(theirs[6]))).toBeLessThan(1e-9);
      expect(mine.trades).toBe(theirs[7]);
      // Kraken rounds vwap to the price precision
      expect(Math.abs(mine.vwap! - Number(theirs[5]))).toBeLessThanOrEqual(0.05);
    },
  );
});
