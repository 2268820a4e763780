import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { KRAKEN_CSV_FIXTURES } from '../../test/helpers/fixtures';
import { NoTradeAnalyzer } from './no-trade-analyzer';

/** The defaults of NO_TRADE_SUSPECT_MIN_CANDLES and NO_TRADE_SUSPECT_TRADES. */
const RULES = { minCandles: 1, minTrades: 500 };
const iso = (s: number) => new Date(s * 1000).toISOString().slice(0, 16);

function rows(file: string): Array<[number, number]> {
  return readFileSync(join(KRAKEN_CSV_FIXTURES, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const f = l.split(',');
      return [Number(f[0]), Number(f[6])];
    });
}

function analyse(data: Array<[number, number]>, intervalMinutes: number): NoTradeAnalyzer {
  const a = new NoTradeAnalyzer(intervalMinutes * 60, RULES);
  for (const [ts, trades] of data) a.add(ts, trades);
  return a;
}

/** The pristine OHLCVT samples (the re-exported BONKUSD file has a header and float trades). */
function pristine(dir = KRAKEN_CSV_FIXTURES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name.startsWith('templar') || e.name.startsWith('trades')
        ? []
        : pristine(join(dir, e.name))
      : /^[A-Z]+_\d+\.csv$/.test(e.name)
        ? [relative(KRAKEN_CSV_FIXTURES, join(dir, e.name))]
        : [],
  );
}

describe('NoTradeAnalyzer on the real Kraken samples', () => {
  it('flags exactly the empty runs that are implausible for their market, and no quiet period', () => {
    const flagged: Record<string, string[]> = {};
    for (const file of pristine()) {
      const interval = Number(/_(\d+)\.csv$/.exec(file)![1]);
      const runs = analyse(rows(file), interval).suspects();
      if (runs.length)
        flagged[file] = runs.map((r) => `${iso(r.from)}..${iso(r.to)} (${r.missing} × ~${r.tradesPerCandle} trades)`);
    }
    // The README lists these: 2024-03-31 (a day whose 00:00-12:00 half has 6,623 trades in the 720 file) and
    // Kraken's January 2018 outage; none of the illiquid hours of 2013-2016 or of STORJ in 2020.
    expect(flagged).toEqual({
      'XBTCAD_1440.csv': ['2018-01-12T00:00..2018-01-12T00:00 (1 × ~574 trades)'],
      'XBTCAD_720.csv': ['2018-01-11T12:00..2018-01-12T12:00 (3 × ~324 trades)'],
      'XBTUSD_1440.csv': ['2024-03-31T00:00..2024-03-31T00:00 (1 × ~33154 trades)'],
      'XBTUSD_720.csv': [
        '2018-01-12T00:00..2018-01-12T00:00 (1 × ~9950 trades)',
        '2024-03-31T12:00..2024-03-31T12:00 (1 × ~13926 trades)',
      ],
    });
  });

  it('flags 120 consecutive 12-hour candles cut out of a liquid market', () => {
    const all = rows('XBTUSD_720.csv');
    const start = all.findIndex(([ts]) => ts === Date.UTC(2024, 6, 1) / 1000);
    const cut = [...all.slice(0, start), ...all.slice(start + 120)];
    const runs = analyse(cut, 720).suspects();
    expect(runs).toContainEqual(
      expect.objectContaining({ from: all[start]![0], to: all[start + 119]![0], missing: 120 }),
    );
  });

  it('tells a file whose rows are 720 minutes apart from the 60 minutes its name says', () => {
    expect(analyse(rows('XBTCAD_720.csv'), 60).mislabel(60)).toBe(
      'rows are 720 minutes apart, the name says 60: the file does not hold 60-minute candles',
    );
    for (const file of pristine()) {
      const interval = Number(/_(\d+)\.csv$/.exec(file)![1]);
      expect({ file, mislabel: analyse(rows(file), interval).mislabel(interval) }).toEqual({ file, mislabel: null });
    }
    // Too few rows say nothing.
    expect(analyse(rows('XBTCAD_720.csv').slice(0, 5), 60).mislabel(60)).toBeNull();
  });
});
