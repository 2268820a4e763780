/**
 * `source` of a deleted candle. QuestDB has no DELETE: deleteRange marks rows
 * with this source and every read leaves them out; writing the candle again
 * replaces the marked row (DEDUP UPSERT KEYS), so deletes stay idempotent.
 */
export const DELETED_SOURCE = 'deleted';

/** Re-writing a candle (same ts, asset, interval) replaces the row: QuestDB's upsert. */
export const createAssetpriceSql = (table: string): string => `CREATE TABLE IF NOT EXISTS ${table} (
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
