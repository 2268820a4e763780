import { BucketSpec } from '../common/aggregation-window';
import { SeriesRef, Span } from '../common/series';
import { CandleSource } from '../common/enums';

/** One OHLCVT candle. `ts` is the open time in epoch seconds (UTC), aligned to the interval. */
export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Volume-weighted average price when the source gives one (API, trades), else null (archives). */
  vwap: number | null;
  volume: number;
  trades: number;
}

/** A stored candle with the source that wrote it last (exports). */
export interface StoredCandle extends Candle {
  source: CandleSource;
}

export interface StoredExtent {
  first: number;
  last: number;
  count: number;
}

/**
 * The candles of one bucket (`ts` is the bucket's start, see bucketStart): open of the first, extremes, close
 * of the last, sums, the volume-weighted vwap (null when a candle in it has none, or no volume) and how many
 * candles it holds.
 */
export interface CandleBucket extends Candle {
  candles: number;
}

export interface CandleStoreHealth {
  store: 'postgres' | 'questdb';
  reachable: boolean;
  error?: string;
}

/**
 * A streaming bulk writer for one series (the ingestion hot path). Rows are
 * buffered and flushed in batches; `commit()` resolves only once the store has
 * acknowledged every row written, so coverage may be committed after it
 * (the write order of ARCHITECTURE.md: candles, then coverage). `abort()` drops what was not yet acknowledged.
 */
export interface CandleBulkWriter {
  write(candle: Candle): void | Promise<void>;
  /** Flushes and waits for the acknowledgement; returns the number of rows acknowledged in total. */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

/**
 * The CandleStore port. Every write is idempotent on (asset, interval, ts):
 * re-writing a candle replaces it, never duplicates it. Implementations:
 * postgres (default) and questdb; both pass test/candle-store.contract.ts.
 */
export abstract class CandleStore {
  abstract readonly kind: 'postgres' | 'questdb';

  /** Creates the store's tables if missing (called by `migrate`). */
  abstract ensureSchema(): Promise<void>;

  /** Upserts a batch; returns the number of candles written. */
  abstract upsert(series: SeriesRef, candles: readonly Candle[], source: CandleSource): Promise<number>;

  /** Opens a streaming bulk writer (COPY / ILP) for large loads; same idempotency as upsert. */
  abstract bulkWriter(series: SeriesRef, source: CandleSource): Promise<CandleBulkWriter>;

  /** Number of stored candles in the span (whole series when omitted). */
  abstract count(series: SeriesRef, span?: Span): Promise<number>;

  /** First/last open time and count of the stored candles in the span, or null when none. */
  abstract extent(series: SeriesRef, span?: Span): Promise<StoredExtent | null>;

  /**
   * The first (or last) stored candle in the span, or null: one index probe, however long the span — unlike
   * extent(), which counts every candle in it.
   */
  abstract edgeCandle(series: SeriesRef, span: Span, edge: 'first' | 'last'): Promise<Candle | null>;

  /** Candles in the span, ascending by ts. */
  abstract read(series: SeriesRef, span: Span, limit?: number): Promise<Candle[]>;

  /** Like read(), with each candle's source: for exports, which page through a series with `limit`. */
  abstract readStored(series: SeriesRef, span: Span, limit?: number): Promise<StoredCandle[]>;

  /**
   * The series' candles with an open time in the inclusive span, grouped by `bucketStart(bucket, ts)` (UTC:
   * epoch-aligned fixed lengths, Monday or Thursday weeks, calendar months), ascending; empty buckets are absent.
   * A bucket straddling an edge of the span holds only the candles inside it.
   */
  abstract aggregate(series: SeriesRef, span: Span, bucket: BucketSpec): Promise<CandleBucket[]>;

  /** Deletes the candles in the span; returns how many were removed. */
  abstract deleteRange(series: SeriesRef, span: Span): Promise<number>;

  abstract health(): Promise<CandleStoreHealth>;
}
