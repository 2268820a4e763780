import { KRAKEN_CAPABILITIES as kraken } from '../sources/kraken/kraken-capabilities';
import { archiveHint, lastClosedCandle, ohlcWindowStart, route } from './fillability';

const H = 3600;
// 2026-01-15T10:30:00Z: the open 60-minute candle is 10:00.
const now = Date.UTC(2026, 0, 15, 10, 30) / 1000;
const tenOClock = Date.UTC(2026, 0, 15, 10) / 1000;

describe('fillability', () => {
  it('starts the OHLC window 719 candles before the open one', () => {
    expect(ohlcWindowStart(kraken, now, 60)).toBe(tenOClock - 719 * H);
    expect(lastClosedCandle(now, 60)).toBe(tenOClock - H);
    expect(ohlcWindowStart(kraken, now, 1440)).toBe(Date.UTC(2026, 0, 15) / 1000 - 719 * 86400);
  });

  it('labels a gap inside the window API_OHLC and an older one by the trades switch', () => {
    const inside = { from: tenOClock - 10 * H, to: tenOClock - H };
    expect(route(kraken, inside, now, 60, true)).toEqual([{ ...inside, fillability: 'API_OHLC' }]);
    const old = { from: tenOClock - 2000 * H, to: tenOClock - 1000 * H };
    expect(route(kraken, old, now, 60, true)).toEqual([{ ...old, fillability: 'API_TRADES' }]);
    expect(route(kraken, old, now, 60, false)).toEqual([{ ...old, fillability: 'ARCHIVE_ONLY' }]);
  });

  it('splits a gap straddling the window boundary exactly at it', () => {
    const w = ohlcWindowStart(kraken, now, 60);
    const gap = { from: w - 5 * H, to: w + 5 * H };
    expect(route(kraken, gap, now, 60, false)).toEqual([
      { from: w - 5 * H, to: w - H, fillability: 'ARCHIVE_ONLY' },
      { from: w, to: w + 5 * H, fillability: 'API_OHLC' },
    ]);
    expect(route(kraken, { from: w, to: w }, now, 60, true)).toEqual([{ from: w, to: w, fillability: 'API_OHLC' }]);
    expect(route(kraken, { from: w - H, to: w - H }, now, 60, true)).toEqual([
      { from: w - H, to: w - H, fillability: 'API_TRADES' },
    ]);
  });

  it('names the member and quarterly archives for an archive-only gap', () => {
    expect(
      archiveHint(kraken, 'XBTUSD', 60, {
        from: Date.UTC(2024, 2, 31, 23) / 1000,
        to: Date.UTC(2024, 2, 31, 23) / 1000,
      }),
    ).toBe('XBTUSD_60.csv in Kraken_OHLCVT_Q1_2024.zip');
    expect(
      archiveHint(kraken, 'XBTUSD', 60, { from: Date.UTC(2024, 3, 1) / 1000, to: Date.UTC(2024, 3, 1) / 1000 }),
    ).toBe('XBTUSD_60.csv in Kraken_OHLCVT_Q2_2024.zip');
    expect(
      archiveHint(kraken, 'XBTUSD', 60, { from: Date.UTC(2024, 4, 1) / 1000, to: Date.UTC(2024, 4, 2) / 1000 }),
    ).toBe('XBTUSD_60.csv in Kraken_OHLCVT_Q2_2024.zip');
    expect(
      archiveHint(kraken, 'XBTUSD', 60, { from: Date.UTC(2023, 10, 1) / 1000, to: Date.UTC(2024, 1, 2) / 1000 }),
    ).toBe('XBTUSD_60.csv in Kraken_OHLCVT_Q4_2023.zip, Kraken_OHLCVT_Q1_2024.zip');
    expect(
      archiveHint(kraken, 'ETHUSD', 1440, { from: Date.UTC(2019, 0, 1) / 1000, to: Date.UTC(2024, 1, 2) / 1000 }),
    ).toMatch(
      /^ETHUSD_1440\.csv in Kraken_OHLCVT\.zip \(full history; spans 21 quarters from Kraken_OHLCVT_Q1_2019\.zip\)$/,
    );
  });
});
