import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './ingest';

/**
 * The scenario, from real rows: Kraken's 1-minute OHLC answer for XBTUSDT (2025-11-10 12:17 → 2025-11-11 00:16,
 * its 216 count-0 rows left out as an archive leaves out no-trade minutes) loaded as two files around a real gap
 * (20:00–20:29 not loaded: uncovered); 18:05–18:09 is a no-trade period inside coverage. Kraken's daily and
 * 12-hour archives of XBTUSD and the daily one of XBTCAD (which starts later) for source intervals and compare.
 */
export const NOW = '2025-11-11T00:17:30Z';
const NOW_S = Date.parse(NOW) / 1000;
export const M = 60;
export const at = (hhmm: string, day = '2025-11-10') => Date.parse(`${day}T${hhmm}:00Z`) / 1000;
export const GAP = { from: at('20:00'), to: at('20:30') };

type Row = [number, string, string, string, string, string, string, number];
const API_ROWS = (
  JSON.parse(readFileSync(join(FIXTURES, '..', 'api', 'ohlc_XBTUSDT_1m_2025-11-11.json'), 'utf8')) as {
    result: { XBTUSDT: Row[] };
  }
).result.XBTUSDT.slice(0, 720); // the 721st is the still-open candle
export const TRADED = API_ROWS.filter((r) => r[7] > 0).map((r) => ({
  ts: r[0],
  open: Number(r[1]),
  high: Number(r[2]),
  low: Number(r[3]),
  close: Number(r[4]),
  volume: Number(r[6]),
  trades: r[7],
}));
export const PART_A = TRADED.filter((c) => c.ts < GAP.from);
export const PART_B = TRADED.filter((c) => c.ts >= GAP.to);
const STORED = [...PART_A, ...PART_B];
export const COVERED = [
  { from: PART_A[0]!.ts, to: PART_A[PART_A.length - 1]!.ts },
  { from: PART_B[0]!.ts, to: PART_B[PART_B.length - 1]!.ts },
];
const csv = (rows: typeof TRADED) =>
  rows.map((c) => [c.ts, c.open, c.high, c.low, c.close, c.volume, c.trades].join(',')).join('\n') + '\n';

/** The oracle: a bucket of the raw rows, aggregated as the issue defines it (archive rows carry no vwap). */
export function oracle(start: number, seconds: number) {
  const rows = STORED.filter((c) => c.ts >= start && c.ts < start + seconds);
  const end = start + seconds;
  const complete = COVERED.some((s) => s.from <= start && s.to >= end - M);
  const closed = end <= NOW_S;
  const time = new Date(start * 1000).toISOString();
  if (!rows.length) return { ts: start, time, complete, closed };
  return {
    ts: start,
    time,
    open: rows[0]!.open,
    high: Math.max(...rows.map((c) => c.high)),
    low: Math.min(...rows.map((c) => c.low)),
    close: rows[rows.length - 1]!.close,
    volume: expect.closeTo(
      rows.reduce((n, c) => n + c.volume, 0),
      8,
    ) as unknown as number,
    trades: rows.reduce((n, c) => n + c.trades, 0),
    vwap: null,
    candles: rows.length,
    complete,
    closed,
  };
}
export const starts = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const SUMMER_2015 = {
  from: Date.parse('2015-06-01T00:00:00Z') / 1000,
  to: Date.parse('2015-08-31T12:00:00Z') / 1000,
};
const ARCHIVE_ROWS = (file: string) =>
  readFileSync(join(FIXTURES, file), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => Number(l.split(',')[0]) >= SUMMER_2015.from && Number(l.split(',')[0]) <= SUMMER_2015.to);
export const dailyCloses = (file: string) =>
  new Map(
    ARCHIVE_ROWS(file)
      .map((l) => l.split(','))
      .map((f) => [Number(f[0]), Number(f[4])]),
  );

/**
 * Writes the scenario's archives under `dir`: the 1-minute rows as two files around the gap (a/, b/) and, with
 * `archives`, summer 2015 of the XBTUSD daily and 12-hour and the XBTCAD daily archives.
 */
export function writeScenario(dir: string, archives = true): void {
  mkdirSync(join(dir, 'a'));
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'a', 'XBTUSDT_1.csv'), csv(PART_A));
  writeFileSync(join(dir, 'b', 'XBTUSDT_1.csv'), csv(PART_B));
  if (!archives) return;
  // Their summer 2015 (XBTCAD starts on 2015-06-29): enough for every window, small enough to load fast.
  for (const f of ['XBTUSD_1440.csv', 'XBTUSD_720.csv', 'XBTCAD_1440.csv'])
    writeFileSync(join(dir, f), ARCHIVE_ROWS(f).join('\n') + '\n');
}
