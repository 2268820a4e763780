import type { SenderBuffer } from '@questdb/nodejs-client';
import { CandleSource } from '../../entities/enums';
import { Candle, SeriesRef } from '../candle-store';
import { CandleValueError } from './questdb.errors';

/** The QuestDB candle table (DESIGN.md §3). */
export const ASSETPRICE = 'assetprice';

/**
 * `source` of a deleted candle. QuestDB has no DELETE: deleteRange marks rows
 * with this source and every read leaves them out; writing the candle again
 * replaces the marked row (DEDUP UPSERT KEYS), so deletes stay idempotent.
 */
export const DELETED_SOURCE = 'deleted';

/** Re-writing a candle (same ts, asset, interval) replaces the row: QuestDB's upsert. */
export const CREATE_ASSETPRICE = `CREATE TABLE IF NOT EXISTS ${ASSETPRICE} (
  asset SYMBOL,
  interval_minutes INT,
  ts TIMESTAMP,
  open DOUBLE,
  high DOUBLE,
  low DOUBLE,
  close DOUBLE,
  vwap DOUBLE,
  volume DOUBLE,
  trades LONG,
  source SYMBOL
) TIMESTAMP(ts) PARTITION BY MONTH WAL
DEDUP UPSERT KEYS(ts, asset, interval_minutes)`;

/** Column → type as QuestDB's table_columns() reports them. */
export const ASSETPRICE_COLUMNS: Readonly<Record<string, string>> = {
  asset: 'SYMBOL',
  interval_minutes: 'INT',
  ts: 'TIMESTAMP',
  open: 'DOUBLE',
  high: 'DOUBLE',
  low: 'DOUBLE',
  close: 'DOUBLE',
  vwap: 'DOUBLE',
  volume: 'DOUBLE',
  trades: 'LONG',
  source: 'SYMBOL',
};
export const ASSETPRICE_UPSERT_KEYS = ['ts', 'asset', 'interval_minutes'] as const;

/** Refuses what must never be stored, naming the series and the candle. */
export function checkCandle(series: SeriesRef, c: Candle): void {
  const problem = candleProblem(series, c);
  if (problem) throw new CandleValueError(`${series.symbol} ${series.intervalMinutes}m candle ts=${c.ts}: ${problem}`);
}

function candleProblem(series: SeriesRef, c: Candle): string | undefined {
  if (!Number.isSafeInteger(c.ts)) return 'ts must be integer epoch seconds';
  if (c.ts % (series.intervalMinutes * 60) !== 0) return `ts is not aligned to the ${series.intervalMinutes}-minute interval`;
  for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (!Number.isFinite(c[key])) return `${key} is not a finite number (${c[key]})`;
  }
  if (c.vwap !== null && !Number.isFinite(c.vwap)) return `vwap is not a finite number (${c.vwap})`;
  if (!Number.isSafeInteger(c.trades) || c.trades < 0) return `trades must be a non-negative integer (${c.trades})`;
  return undefined;
}

/**
 * Appends one ILP row: symbols asset and source, then the columns, then the
 * designated timestamp (open time) in microseconds. A null vwap is left out,
 * which QuestDB stores as NULL (and, the row replacing any earlier one, clears
 * an earlier vwap).
 */
export function writeCandleRow(buffer: SenderBuffer, series: SeriesRef, source: CandleSource, c: Candle): void {
  buffer
    .table(ASSETPRICE)
    .symbol('asset', series.symbol)
    .symbol('source', source)
    .intColumn('interval_minutes', series.intervalMinutes)
    .floatColumn('open', c.open)
    .floatColumn('high', c.high)
    .floatColumn('low', c.low)
    .floatColumn('close', c.close);
  if (c.vwap !== null) buffer.floatColumn('vwap', c.vwap);
  buffer.floatColumn('volume', c.volume).intColumn('trades', c.trades);
  buffer.at(c.ts * 1_000_000, 'us');
}
