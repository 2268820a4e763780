import { Logger } from '@nestjs/common';
import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { BulkAssetLock } from '../database/bulk-asset-lock';
import {
  BinaryCopyStream,
  bytesField,
  float8,
  int4,
  nullField,
  timestamptz,
  tupleStart,
} from '../database/binary-copy';
import { CandleSource } from '../common/enums';
import {
  Candle,
  CandleBucket,
  CandleBulkWriter,
  CandleStore,
  CandleStoreHealth,
  StoredCandle,
  StoredExtent,
} from './candle-store';
import { checkCandle } from './candle-check';
import { CandleStoreError } from './candle-store.errors';
import { SeriesRef, Span } from '../common/series';
import { BucketSpec, fixedBucket } from '../common/aggregation-window';

/** Upper bound of one binary COPY tuple: field count, 11 lengths, values, source text. */
const TUPLE_BYTES = 128;
const UPSERT_SET = `open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  vwap = EXCLUDED.vwap, volume = EXCLUDED.volume, trades = EXCLUDED.trades, source = EXCLUDED.source`;
const SERIES = 'asset_id = $1 AND interval_minutes = $2';
const IN_SPAN = `${SERIES} AND ts >= to_timestamp($3) AND ts <= to_timestamp($4)`;

function spanParams(series: SeriesRef, span?: Span): unknown[] {
  return span ? [series.assetId, series.intervalMinutes, span.from, span.to] : [series.assetId, series.intervalMinutes];
}

/**
 * The start of the bucket holding `ts` (a timestamptz), never depending on the session time zone: date_bin
 * from an explicit UTC origin (the epoch; 1970-01-05, a Monday, for Monday weeks; 1970-01-01 was a Thursday),
 * or for months date_trunc of the UTC wall time — a timestamp, whose epoch is read as UTC (measured 1.7× faster
 * than date_trunc's time-zone form). The length is checked to divide a day (fixedBucket) and is an integer, so
 * it is put into the text.
 */
function bucketSql(bucket: BucketSpec): string {
  switch (bucket.kind) {
    case 'fixed':
      fixedBucket(bucket.seconds);
      return `date_bin('${bucket.seconds} seconds', ts, timestamptz '1970-01-01 00:00:00+00')`;
    case 'week':
      return `date_bin('7 days', ts, timestamptz '${bucket.start === 'monday' ? '1970-01-05' : '1970-01-01'} 00:00:00+00')`;
    case 'month':
      return `date_trunc('month', ts AT TIME ZONE 'UTC')`;
  }
}

function wrap(action: string, e: unknown): CandleStoreError {
  if (e instanceof CandleStoreError) return e;
  return new CandleStoreError(`candle store (postgres): ${action} failed: ${(e as Error).message}`, { cause: e });
}

/** A candle as read: ts is a bigint, which pg returns as a string. */
type CandleDbRow = Omit<Candle, 'ts'> & { ts: string };

/**
 * The postgres CandleStore: table `candles` keyed (asset_id, interval_minutes, ts).
 *
 * Bulk path (measured, see README "Ingestion benchmark"): binary COPY of the
 * rows straight into `candles` when no stored candle of the series lies at or
 * after the first written ts — the common case of a fresh series or a newer
 * archive — and otherwise (or as soon as rows stop increasing) binary COPY
 * into a temporary staging table merged by one INSERT … ON CONFLICT DO UPDATE
 * at commit. Either way a bulk writer is one transaction: commit() makes all
 * of it visible at once, abort() or a crash leaves nothing.
 */
export class PostgresCandleStore extends CandleStore {
  readonly kind = 'postgres' as const;
  private readonly logger = new Logger(PostgresCandleStore.name);
  private readonly assetLock = new BulkAssetLock();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async ensureSchema(): Promise<void> {
    const [row] = await this.query<{ t: string | null }>('ensure schema', `SELECT to_regclass('candles')::text AS t`);
    if (!row?.t)
      throw new CandleStoreError('candle store (postgres): table candles is missing: run `candlekeep migrate`');
  }

  async upsert(series: SeriesRef, candles: readonly Candle[], source: CandleSource): Promise<number> {
    if (candles.length === 0) return 0;
    // The last candle of a ts wins within one batch (one INSERT may not update a row twice).
    const byTs = new Map<number, Candle>();
    for (const c of candles) {
      checkCandle(series, c);
      byTs.set(c.ts, c);
    }
    const rows = [...byTs.values()];
    await this.query(
      'upsert',
      `INSERT INTO candles (asset_id, interval_minutes, ts, open, high, low, close, vwap, volume, trades, source)
       SELECT $1, $2, to_timestamp(u.ts), u.open, u.high, u.low, u.close, u.vwap, u.volume, u.trades, $3
       FROM unnest($4::bigint[], $5::float8[], $6::float8[], $7::float8[], ` +
        `$8::float8[], $9::float8[], $10::float8[], $11::int[])
         AS u(ts, open, high, low, close, vwap, volume, trades)
       ON CONFLICT (asset_id, interval_minutes, ts) DO UPDATE SET ${UPSERT_SET}`,
      [
        series.assetId,
        series.intervalMinutes,
        source,
        rows.map((c) => c.ts),
        rows.map((c) => c.open),
        rows.map((c) => c.high),
        rows.map((c) => c.low),
        rows.map((c) => c.close),
        rows.map((c) => c.vwap),
        rows.map((c) => c.volume),
        rows.map((c) => c.trades),
      ],
    );
    return rows.length;
  }

  async bulkWriter(series: SeriesRef, source: CandleSource): Promise<CandleBulkWriter> {
    const runner = this.dataSource.createQueryRunner();
    let client: PoolClient | undefined;
    try {
      client = (await runner.connect()) as PoolClient;
      await client.query('BEGIN');
      // Every row has the same asset_id: one lock instead of the per-row foreign-key trigger.
      if (!(await this.assetLock.lock(client, [series.assetId]))) {
        throw new CandleStoreError(`candle store (postgres): asset ${series.assetId} does not exist`);
      }
      return new PostgresBulkWriter(client, () => runner.release(), series, source, this.logger);
    } catch (e) {
      await client?.query('ROLLBACK').catch(() => undefined); // the connection goes back to the pool clean
      await runner.release();
      throw wrap('opening a bulk writer', e);
    }
  }

  async count(series: SeriesRef, span?: Span): Promise<number> {
    const [row] = await this.query<{ n: string }>(
      'count',
      `SELECT count(*) AS n FROM candles WHERE ${span ? IN_SPAN : SERIES}`,
      spanParams(series, span),
    );
    return Number(row?.n ?? 0);
  }

  async extent(series: SeriesRef, span?: Span): Promise<StoredExtent | null> {
    const [row] = await this.query<{ first: string | null; last: string | null; n: string }>(
      'extent',
      `SELECT extract(epoch FROM min(ts))::bigint AS first, extract(epoch FROM max(ts))::bigint AS last, count(*) AS n
       FROM candles WHERE ${span ? IN_SPAN : SERIES}`,
      spanParams(series, span),
    );
    if (!row || row.first === null || row.last === null) return null;
    return { first: Number(row.first), last: Number(row.last), count: Number(row.n) };
  }

  async edgeCandle(series: SeriesRef, span: Span, edge: 'first' | 'last'): Promise<Candle | null> {
    const [row] = await this.readRows<CandleDbRow>(series, span, 1, false, edge === 'last');
    return row ? { ...row, ts: Number(row.ts) } : null;
  }

  async read(series: SeriesRef, span: Span, limit?: number): Promise<Candle[]> {
    const rows = await this.readRows<CandleDbRow>(series, span, limit, false);
    return rows.map((r) => ({ ...r, ts: Number(r.ts) }));
  }

  async readStored(series: SeriesRef, span: Span, limit?: number): Promise<StoredCandle[]> {
    const rows = await this.readRows<CandleDbRow & { source: CandleSource }>(series, span, limit, true);
    return rows.map((r) => ({ ...r, ts: Number(r.ts) }));
  }

  /**
   * `ORDER BY candles.ts`, qualified: a bare `ts` would name the output column (the epoch seconds computed from
   * it), which no index orders — every page of an export then sorted the whole series (0.8 s a page at 5M rows).
   */
  private readRows<T>(
    series: SeriesRef,
    span: Span,
    limit: number | undefined,
    withSource: boolean,
    descending = false,
  ): Promise<T[]> {
    return this.query<T>(
      'read',
      `SELECT extract(epoch FROM ts)::bigint AS ts, open, high, low, close, vwap, volume, ` +
        `trades${withSource ? ', source' : ''}
       FROM candles WHERE ${IN_SPAN} ORDER BY candles.ts${descending ? ' DESC' : ''}` +
        (limit !== undefined ? ' LIMIT $5' : ''),
      limit !== undefined ? [...spanParams(series, span), limit] : spanParams(series, span),
    );
  }

  /**
   * One hash aggregate over the span (no sort: the planner's group estimate for a computed key is far too high,
   * and an ordered aggregate such as `(array_agg(open ORDER BY ts))[1]` sorts all rows, spilling to disk), which
   * also yields each bucket's first and last open time; their open and close are then one batched primary-key
   * lookup — exact, since a series holds one candle per ts. Measured on a year of 1-minute rows (525,600):
   * 2× (→ 1h) to 4× (→ 1d) faster than the ordered aggregate, and ahead of a window (first_value/last_value),
   * min(ARRAY[epoch, open]) and per-bucket scalar subqueries; what remains is mostly reading the rows.
   * Buckets are computed on timestamptz with explicit UTC origins, so the session time zone plays no part.
   */
  async aggregate(series: SeriesRef, span: Span, bucket: BucketSpec): Promise<CandleBucket[]> {
    const rows = await this.query<{
      b: string;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: number;
      trades: string;
      vwap: number | null;
      n: number;
    }>(
      'aggregate',
      `WITH g AS MATERIALIZED (
         SELECT ${bucketSql(bucket)} AS b, min(ts) AS f, max(ts) AS l, max(high) AS high, min(low) AS low,
                sum(volume) AS volume, sum(trades) AS trades, count(*)::int AS n,
                CASE WHEN count(vwap) = count(*) AND sum(volume) > 0 THEN sum(vwap * volume) / sum(volume) END AS vwap
           FROM candles WHERE ${IN_SPAN} GROUP BY 1),
       e AS MATERIALIZED (
         SELECT ts, open, close FROM candles
          WHERE ${SERIES} AND ts = ANY (ARRAY(SELECT f FROM g UNION ALL SELECT l FROM g)))
       SELECT date_part('epoch', g.b)::bigint AS b, o.open, g.high, g.low, c.close, g.volume, g.trades, g.n, g.vwap
         FROM g JOIN e o ON o.ts = g.f JOIN e c ON c.ts = g.l
        ORDER BY g.b`,
      spanParams(series, span),
    );
    return rows.map((r) => ({
      ts: Number(r.b),
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      volume: r.volume,
      trades: Number(r.trades),
      vwap: r.vwap,
      candles: r.n,
    }));
  }

  async deleteRange(series: SeriesRef, span: Span): Promise<number> {
    const result = await this.query<unknown>(
      'delete',
      `WITH d AS (DELETE FROM candles WHERE ${IN_SPAN} RETURNING 1) SELECT count(*) AS n FROM d`,
      spanParams(series, span),
    );
    return Number((result[0] as { n: string } | undefined)?.n ?? 0);
  }

  async health(): Promise<CandleStoreHealth> {
    try {
      await this.dataSource.query('SELECT 1 FROM candles LIMIT 1');
      return { store: 'postgres', reachable: true };
    } catch (e) {
      return { store: 'postgres', reachable: false, error: (e as Error).message };
    }
  }

  private async query<T>(action: string, sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return this.dataSource.query<T[]>(sql, params);
    } catch (e) {
      throw wrap(action, e);
    }
  }
}

type Mode = 'undecided' | 'direct' | 'staging';

/** One transaction on one pooled connection; see PostgresCandleStore. */
class PostgresBulkWriter implements CandleBulkWriter {
  private mode: Mode = 'undecided';
  private copy: BinaryCopyStream | null = null;
  private written = 0;
  private lastTs = -Infinity;
  private closed = false;
  private readonly sourceBytes: Buffer;

  constructor(
    private readonly client: PoolClient,
    private readonly release: () => Promise<void>,
    private readonly series: SeriesRef,
    source: CandleSource,
    private readonly logger: Logger,
  ) {
    this.sourceBytes = Buffer.from(source, 'latin1');
  }

  write(candle: Candle): void | Promise<void> {
    if (this.closed) throw new CandleStoreError('candle store (postgres): write after commit/abort');
    if (this.copy?.error) throw wrap('bulk write', this.copy.error);
    checkCandle(this.series, candle);
    if (this.mode === 'undecided') return this.decide(candle.ts).then(() => this.write(candle));
    if (this.mode === 'direct' && candle.ts <= this.lastTs)
      return this.switchToStaging().then(() => this.write(candle));
    const copy = this.copy!;
    this.encode(copy, candle);
    this.written++;
    if (candle.ts > this.lastTs) this.lastTs = candle.ts;
    if (!copy.fits(TUPLE_BYTES))
      return copy.reserve(TUPLE_BYTES).catch((e: unknown) => Promise.reject(wrap('bulk write', e)));
  }

  async commit(): Promise<number> {
    if (this.closed) throw new CandleStoreError('candle store (postgres): commit after commit/abort');
    try {
      await this.endCopy();
      if (this.mode === 'staging') await this.mergeStaging();
      await this.client.query('COMMIT');
      return this.written;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw wrap('bulk commit', e);
    } finally {
      await this.close();
    }
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    await this.copy?.destroy();
    await this.client
      .query('ROLLBACK')
      .catch((e: Error) => this.logger.warn(`rollback of a bulk write failed: ${e.message}`));
    await this.close();
  }

  /** Direct COPY into candles only when nothing stored could collide with increasing rows from `firstTs` on. */
  private async decide(firstTs: number): Promise<void> {
    const { rows } = await this.client.query<{ taken: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM candles WHERE asset_id = $1 AND interval_minutes = $2 ' +
        'AND ts >= to_timestamp($3)) AS taken',
      [this.series.assetId, this.series.intervalMinutes, firstTs],
    );
    if (rows[0]?.taken) await this.startStaging();
    else {
      this.mode = 'direct';
      this.startCopy(
        'COPY candles (asset_id, interval_minutes, ts, open, high, low, close, vwap, volume, trades, source) ' +
          'FROM STDIN (FORMAT binary)',
      );
    }
  }

  private async switchToStaging(): Promise<void> {
    await this.endCopy();
    await this.startStaging();
  }

  private async startStaging(): Promise<void> {
    this.mode = 'staging';
    // seq keeps write order so that the last write of a ts wins in the merge.
    await this.client.query(
      `CREATE TEMP TABLE IF NOT EXISTS candle_staging (
         asset_id integer, interval_minutes integer, ts timestamptz, open float8, high float8, low float8, close float8,
         vwap float8, volume float8, trades integer, source text, seq bigint GENERATED ALWAYS AS IDENTITY
       ) ON COMMIT DROP`,
    );
    this.startCopy(
      'COPY candle_staging (asset_id, interval_minutes, ts, open, high, low, close, vwap, volume, trades, source) ' +
        'FROM STDIN (FORMAT binary)',
    );
  }

  private async mergeStaging(): Promise<void> {
    await this.client.query(
      `INSERT INTO candles (asset_id, interval_minutes, ts, open, high, low, close, vwap, volume, trades, source)
       SELECT DISTINCT ON (ts) asset_id, interval_minutes, ts, open, high, low, close, vwap, volume, trades, source
       FROM candle_staging ORDER BY ts, seq DESC
       ON CONFLICT (asset_id, interval_minutes, ts) DO UPDATE SET ${UPSERT_SET}`,
    );
  }

  private startCopy(sql: string): void {
    this.copy = new BinaryCopyStream(this.client, sql);
  }

  private async endCopy(): Promise<void> {
    const copy = this.copy;
    if (!copy) return;
    this.copy = null;
    await copy.end();
  }

  private encode(copy: BinaryCopyStream, c: Candle): void {
    const b = copy.buf;
    let p = tupleStart(b, copy.pos, 11);
    p = int4(b, p, this.series.assetId);
    p = int4(b, p, this.series.intervalMinutes);
    p = timestamptz(b, p, c.ts);
    p = float8(b, p, c.open);
    p = float8(b, p, c.high);
    p = float8(b, p, c.low);
    p = float8(b, p, c.close);
    p = c.vwap === null ? nullField(b, p) : float8(b, p, c.vwap);
    p = float8(b, p, c.volume);
    p = int4(b, p, c.trades);
    copy.pos = bytesField(b, p, this.sourceBytes);
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}
