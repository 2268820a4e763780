/**
 * The market the Kraken test server serves, read once from the real recorded
 * responses and archive samples in test/fixtures/kraken (PROVENANCE.md):
 * - pair names (key, altname, wsname) from every recorded AssetPairs answer,
 *   plus the altnames of the CSV samples;
 * - candle series (pair key + interval) from the pristine OHLCVT CSV samples
 *   (csv/*.csv and csv/<source>/*.csv, merged by open time; the third-party
 *   re-export in templar-yield-model-reprocessed is left out);
 * - trades: csv/trades-freqtrade-testdata (BCHEUR, unix_seconds,price,volume,
 *   both files), api/trades_XXBTZUSD_2020-12-05.json and the ccxt XBTUSDT trade.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { KRAKEN_FIXTURES } from '../helpers/fixtures';

/** A candle as the archive has it (decimal strings kept as written); vwap is not in archives. */
export interface FixtureCandle {
  ts: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  count: number;
}

/** One trade: `row` is what the Trades endpoint sends, `ns` its nanosecond time (the cursor). */
export interface FixtureTrade {
  ns: bigint;
  row: unknown[];
}

const EXCLUDED_CSV_DIRS = new Set(['templar-yield-model-reprocessed', 'trades-freqtrade-testdata']);
const ASSET_PAIR_FILES_NEWEST_FIRST = [
  'assetpairs_subset_2026-01.json',
  'assetpairs_all_2020-12.json',
  'assetpairs_all_2020-07.json',
  'assetpairs_pair-XBTEUR_2020.json',
  'assetpairs_legacy_2014.json',
];

export function readFixtureJson<T = { error: string[]; result: Record<string, unknown> }>(relative: string): T {
  return JSON.parse(readFileSync(join(KRAKEN_FIXTURES, relative), 'utf8')) as T;
}

/** Decimal text as Kraken's API writes it (archives may use 1E+1). */
function decimal(text: string): string {
  return /^-?\d+(\.\d+)?$/.test(text) ? text : String(Number(text));
}

/** Epoch seconds given as JSON number → nanoseconds, from the shortest decimal form. */
function secondsToNs(seconds: number): bigint {
  const [whole = '0', fraction = ''] = String(seconds).split('.');
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

function csvFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return EXCLUDED_CSV_DIRS.has(name) ? [] : csvFiles(path);
      return /^[A-Z0-9]+_\d+\.csv$/.test(name) ? [path] : [];
    });
}

export class FixtureMarket {
  /** Upper-cased key, altname or wsname → pair key. */
  private readonly names = new Map<string, string>();
  private readonly series = new Map<string, FixtureCandle[]>();
  private readonly tradeSeries = new Map<string, FixtureTrade[]>();

  constructor() {
    for (const file of ASSET_PAIR_FILES_NEWEST_FIRST) {
      const { result } = readFixtureJson<{ result: Record<string, { altname: string; wsname?: string }> }>(
        join('api', file),
      );
      for (const [key, p] of Object.entries(result)) {
        for (const name of [key, p.altname, p.wsname])
          if (name && !this.names.has(name.toUpperCase())) this.names.set(name.toUpperCase(), key);
      }
    }
    this.loadCandles();
    this.loadTrades();
  }

  /** The pair key for any of its names (case-insensitive), as Kraken resolves `pair=`. */
  resolvePair(name: string): string | undefined {
    return this.names.get(name.trim().toUpperCase());
  }

  /** Archive candles of a series, oldest first (empty when there is no sample). */
  candles(pairKey: string, intervalMinutes: number): readonly FixtureCandle[] {
    return this.series.get(`${pairKey}:${intervalMinutes}`) ?? [];
  }

  /** Series that have archive samples, as `PAIRKEY:interval`. */
  seriesKeys(): string[] {
    return [...this.series.keys()].sort();
  }

  trades(pairKey: string): readonly FixtureTrade[] {
    return this.tradeSeries.get(pairKey) ?? [];
  }

  private keyFor(altname: string): string {
    const known = this.resolvePair(altname);
    if (known) return known;
    this.names.set(altname.toUpperCase(), altname);
    return altname;
  }

  private loadCandles(): void {
    for (const path of csvFiles(join(KRAKEN_FIXTURES, 'csv'))) {
      const [, altname, interval] = /^([A-Z0-9]+)_(\d+)\.csv$/.exec(basename(path))!;
      const id = `${this.keyFor(altname!)}:${interval}`;
      const byTs = new Map((this.series.get(id) ?? []).map((c) => [c.ts, c]));
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const f = line.trim().split(',');
        if (f.length !== 7 || !/^\d+$/.test(f[0]!)) continue;
        byTs.set(Number(f[0]), {
          ts: Number(f[0]),
          open: decimal(f[1]!),
          high: decimal(f[2]!),
          low: decimal(f[3]!),
          close: decimal(f[4]!),
          volume: decimal(f[5]!),
          count: Number(f[6]),
        });
      }
      this.series.set(
        id,
        [...byTs.values()].sort((a, b) => a.ts - b.ts),
      );
    }
  }

  private loadTrades(): void {
    // Time-and-sales CSV: no side or order type; side follows the tick rule, the order type is "l".
    const dir = join(KRAKEN_FIXTURES, 'csv', 'trades-freqtrade-testdata');
    const rows = [join(dir, 'BCHEUR.csv'), join(dir, 'incremental_q2', 'BCHEUR.csv')]
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .map((l) => l.trim().split(','))
      .filter((f) => f.length === 3 && /^\d+$/.test(f[0]!))
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    const trades: FixtureTrade[] = [];
    let side = 'b';
    let seq = 0;
    rows.forEach((f, i) => {
      const sec = Number(f[0]);
      seq = i > 0 && rows[i - 1]![0] === f[0] ? seq + 1 : 0;
      const prev = i > 0 ? Number(rows[i - 1]![1]) : Number(f[1]);
      if (Number(f[1]) > prev) side = 'b';
      else if (Number(f[1]) < prev) side = 's';
      // Trades within one second get microsecond offsets so that the nanosecond cursor is strictly increasing.
      trades.push({
        ns: BigInt(sec) * 1_000_000_000n + BigInt(seq) * 1000n,
        row: [f[1], f[2], sec + seq / 1e6, side, 'l', '', i + 1],
      });
    });
    this.tradeSeries.set(this.keyFor('BCHEUR'), trades);

    const recorded = readFixtureJson<{ result: Record<string, unknown[][]> }>(
      join('api', 'trades_XXBTZUSD_2020-12-05.json'),
    );
    this.tradeSeries.set(
      'XXBTZUSD',
      recorded.result.XXBTZUSD!.map((row) => ({ ns: secondsToNs(row[2] as number), row })),
    );
    const ccxt = readFixtureJson<{ result: Record<string, unknown[][]> }>(
      join('api', 'ccxt_fetchTrades_XBTUSDT_httpResponse.json'),
    );
    this.tradeSeries.set(
      this.keyFor('XBTUSDT'),
      ccxt.result.XBTUSDT!.map((row) => ({ ns: BigInt(row[7] as string), row })),
    );
  }
}

let shared: FixtureMarket | undefined;

/** The fixture market, loaded once per test process. */
export function fixtureMarket(): FixtureMarket {
  shared ??= new FixtureMarket();
  return shared;
}
