import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool, QueryResultRow } from 'pg';
import { ConfigError } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { CandleSource } from '../../common/enums';
import {
  Candle,
  CandleBucket,
  CandleBulkWriter,
  CandleStore,
  CandleStoreHealth,
  StoredCandle,
  StoredExtent,
} from '../candle-store';
import { TABLE_NAME_RE } from '../../config/questdb-settings';
import { ASSETPRICE_COLUMNS, ASSETPRICE_UPSERT_KEYS, createAssetpriceSql, DELETED_SOURCE } from './assetprice';
import { IlpCandleEncoder } from './ilp-candle-encoder';
import { IlpChannel, IlpLog } from './ilp-channel';
import { parseIlpConfig } from '../../config/questdb-settings';
import {
  QuestDbQueryError,
  QuestDbSchemaMismatchError,
  QuestDbUnavailableError,
  QuestDbWriteRejectedError,
} from './questdb.errors';
import { QuestDbBulkWriter } from './questdb-bulk-writer';
import { isPgAuthFailure, pgCredentialsError } from './questdb-credentials';
import { tcpProblem } from './tcp-probe';
import { waitUntilApplied, walSuspendedError, WalState } from './wal-visibility';
import { SeriesRef, Span } from '../../common/series';
import { isoOfSeconds } from '../../common/time';
import { BucketSpec, bucketStart, fixedBucket } from '../../common/aggregation-window';

export interface QuestDbSettings {
  /** ILP client config string (QUESTDB_ILP), HTTP or HTTPS. */
  ilp: string;
  /** PG-wire URL for reads and DDL (QUESTDB_PG_URL). */
  pgUrl: string;
  /** The candle table (QUESTDB_TABLE, default assetprice). */
  table: string;
  /** Rows per ILP request (QUESTDB_BATCH_ROWS). */
  batchRows: number;
  /** Bound on waiting for the WAL to apply acknowledged writes (QUESTDB_VISIBILITY_TIMEOUT_MS). */
  visibilityTimeoutMs: number;
}

const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** QuestDB's PG wire parses ISO-8601 text into a TIMESTAMP bind variable. */
/** `cast(ts AS LONG)` gives microseconds since the epoch. */
const secondsFromMicros = (value: string | number) => Math.round(Number(value) / 1_000_000);

/**
 * A candle read as a row array (`rowMode: 'array'`: no object per row from the driver, the candle is the only
 * one): ts in µs, open, high, low, close, vwap, volume, trades (LONG, as text), then source when asked for.
 */
type CandleRow = [
  ts: string,
  open: number,
  high: number,
  low: number,
  close: number,
  vwap: number | null,
  volume: number,
  trades: string,
  source?: string,
];

const vwapOf = (v: number | null) => (v === null || Number.isNaN(v) ? null : v);

function toCandle(r: CandleRow): Candle {
  return {
    ts: secondsFromMicros(r[0]),
    open: r[1],
    high: r[2],
    low: r[3],
    close: r[4],
    vwap: vwapOf(r[5]),
    volume: r[6],
    trades: Number(r[7]),
  };
}

/** One SAMPLE BY row, as an array like CandleRow: LONG sums and counts arrive as text. */
type SampleRow = [
  ts: string,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  trades: string,
  n: string,
  vwapVolume: number | null,
  vwapN: string,
];

function toBucket([ts, open, high, low, close, volume, trades, n, vwapVolume, vwapN]: SampleRow): CandleBucket {
  const withVwap = vwapN === n && volume > 0 && vwapVolume !== null && !Number.isNaN(vwapVolume);
  return {
    ts: secondsFromMicros(ts),
    open,
    high,
    low,
    close,
    volume,
    trades: Number(trades),
    vwap: withVwap ? vwapVolume / volume : null,
    candles: Number(n),
  };
}

/** The SAMPLE BY stride of a bucket; a fixed length is checked to divide a day, so it is put into the text. */
function sampleUnit(bucket: BucketSpec): string {
  switch (bucket.kind) {
    case 'fixed':
      fixedBucket(bucket.seconds); // refuses a length not dividing a day
      return `${bucket.seconds}s`;
    case 'week':
      return bucket.start === 'monday' ? '1w' : '7d';
    case 'month':
      return '1M';
  }
}

function toStoredCandle(r: CandleRow): StoredCandle {
  return { ...toCandle(r), source: r[8] as CandleSource };
}

/**
 * The QuestDB CandleStore (CANDLE_STORE=questdb): table `assetprice`, keyed by
 * the standard symbol, written over ILP/HTTP (`@questdb/nodejs-client`), read
 * over the PostgreSQL wire protocol (`pg`) with parameterised queries.
 *
 * Writes are acknowledged (ILP/HTTP 204) and then awaited until QuestDB's WAL
 * applied them, so every write returns only when a read sees it. Upserts are
 * QuestDB's DEDUP UPSERT KEYS(ts, asset, interval_minutes). Deletes mark rows
 * (QuestDB has no DELETE; see DELETED_SOURCE). The schema is ensured once per
 * process before the first operation (also by `candlekeep migrate`), so ILP
 * never auto-creates a table without deduplication.
 */
export class QuestDbCandleStore extends CandleStore implements OnApplicationShutdown {
  readonly kind = 'questdb' as const;
  private readonly logger = new Logger(QuestDbCandleStore.name);
  private pool?: Pool;
  private channel?: Promise<IlpChannel>;
  private schema?: Promise<void>;

  /** The candle table's name, checked to be a plain identifier: it is put into SQL text and ILP lines. */
  private readonly table: string;

  constructor(private readonly settings: QuestDbSettings) {
    super();
    if (!TABLE_NAME_RE.test(settings.table))
      throw new ConfigError(`QuestDB table name ${JSON.stringify(settings.table)} is not a plain identifier`);
    this.table = settings.table;
  }

  static settingsFrom(config: AppConfig): QuestDbSettings {
    if (config.questdb.ilp === undefined || config.questdb.pgUrl === undefined) {
      // loadConfig refuses CANDLE_STORE=questdb without both; reaching here is a wiring bug.
      throw new ConfigError('QUESTDB_ILP and QUESTDB_PG_URL are required for the questdb candle store');
    }
    return {
      ilp: config.questdb.ilp,
      pgUrl: config.questdb.pgUrl,
      table: config.questdb.table,
      batchRows: config.questdb.batchRows,
      visibilityTimeoutMs: config.questdb.visibilityTimeoutMs,
    };
  }

  static fromConfig(config: AppConfig): QuestDbCandleStore {
    return new QuestDbCandleStore(QuestDbCandleStore.settingsFrom(config));
  }

  async ensureSchema(): Promise<void> {
    await this.query(createAssetpriceSql(this.table));
    const rows = await this.query<{ column: string; type: string; designated: boolean; upsertKey: boolean }>(
      `SELECT * FROM table_columns('${this.table}')`,
    );
    const problems = schemaProblems(rows);
    if (problems.length > 0) {
      throw new QuestDbSchemaMismatchError(
        `QuestDB table ${this.table} exists with a different schema: ${problems.join('; ')}. ` +
          `Rename or drop it and run \`candlekeep migrate\` again.`,
      );
    }
  }

  /**
   * Straight into the candle table: an upsert is small (an OHLC answer, a
   * trades page), most often one ILP request, and idempotent — re-written
   * whole by a retry, so a part landing before a failure is harmless.
   */
  async upsert(series: SeriesRef, candles: readonly Candle[], source: CandleSource): Promise<number> {
    await this.ready();
    const channel = await this.ilp();
    const writer = new QuestDbBulkWriter(
      channel.requests(),
      new IlpCandleEncoder(this.table, series, source, channel.protocolVersion),
      series,
      this.settings.batchRows,
      async (acknowledged) => {
        if (acknowledged > 0) await this.awaitVisible(this.table);
      },
      (error) => this.diagnoseRejection(error),
    );
    try {
      for (const candle of candles) await writer.write(candle);
      return await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
  }

  /**
   * A whole file's rows, all or nothing. QuestDB has no transaction spanning
   * several requests, but it commits the rows of one ILP/HTTP request for one
   * table as one transaction: the writer streams the whole load as a single
   * request (chunks of STREAM_CHUNK_ROWS rows, one in flight while the next is
   * encoded) straight into the candle table, commit() ends it and waits until
   * the WAL applied it — readers see none of the file or all of it, and the
   * table's DEDUP UPSERT KEYS apply as for any write. abort() cuts the request
   * off and QuestDB keeps none of it; so does a process that dies half-way.
   */
  async bulkWriter(series: SeriesRef, source: CandleSource): Promise<CandleBulkWriter> {
    await this.ready();
    const channel = await this.ilp();
    const stream = channel.stream();
    return new QuestDbBulkWriter(
      {
        ...stream,
        // A suspended WAL takes the request's transaction and applies it whenever it is resumed: the file's rows
        // would turn up long after its load failed, uncovered. Refused before the request ends (the writer then
        // cuts it off), the file stays all or nothing.
        finish: async () => {
          await this.assertWalApplying(this.table);
          return stream.finish();
        },
      },
      new IlpCandleEncoder(this.table, series, source, channel.protocolVersion),
      series,
      STREAM_CHUNK_ROWS,
      async (acknowledged) => {
        if (acknowledged === 0) return;
        const started = Date.now();
        await this.awaitVisible(this.table);
        this.logger.debug(
          `${series.symbol} ${series.intervalMinutes}m: ${acknowledged} rows committed, ` +
            `visible after ${Date.now() - started} ms`,
        );
      },
      (error) => this.diagnoseRejection(error),
    );
  }

  async count(series: SeriesRef, span?: Span): Promise<number> {
    await this.ready();
    const { where, params } = seriesFilter(series, span);
    const [row] = await this.query<{ n: string }>(`SELECT count() n FROM ${this.table} WHERE ${where}`, params);
    return Number(row?.n ?? 0);
  }

  async extent(series: SeriesRef, span?: Span): Promise<StoredExtent | null> {
    await this.ready();
    const { where, params } = seriesFilter(series, span);
    const [row] = await this.query<{ first_us: string | null; last_us: string | null; n: string }>(
      `SELECT cast(min(ts) AS LONG) first_us, cast(max(ts) AS LONG) last_us, count() n ` +
        `FROM ${this.table} WHERE ${where}`,
      params,
    );
    if (!row || Number(row.n) === 0 || row.first_us === null || row.last_us === null) return null;
    return { first: secondsFromMicros(row.first_us), last: secondsFromMicros(row.last_us), count: Number(row.n) };
  }

  async edgeCandle(series: SeriesRef, span: Span, edge: 'first' | 'last'): Promise<Candle | null> {
    const [row] = await this.readRows(series, span, 1, false, edge === 'last');
    return row ? toCandle(row) : null;
  }

  async read(series: SeriesRef, span: Span, limit?: number): Promise<Candle[]> {
    const rows = await this.readRows(series, span, limit, false);
    return rows.map(toCandle);
  }

  async readStored(series: SeriesRef, span: Span, limit?: number): Promise<StoredCandle[]> {
    const rows = await this.readRows(series, span, limit, true);
    return rows.map(toStoredCandle);
  }

  private async readRows(
    series: SeriesRef,
    span: Span,
    limit: number | undefined,
    withSource: boolean,
    descending = false,
  ): Promise<CandleRow[]> {
    await this.ready();
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new QuestDbQueryError(`read limit must be a non-negative integer, got ${limit}`);
    }
    const { where, params } = seriesFilter(series, span);
    // LIMIT is an integer checked above; QuestDB takes it as a literal.
    return this.query<CandleRow>(
      `SELECT cast(ts AS LONG) ts_us, open, high, low, close, vwap, volume, trades${withSource ? ', source' : ''} ` +
        `FROM ${this.table} WHERE ${where} ORDER BY ts${descending ? ' DESC' : ''}` +
        (limit !== undefined ? ` LIMIT ${limit}` : ''),
      params,
      'array',
    );
  }

  /**
   * SAMPLE BY over the designated timestamp, ALIGN TO CALENDAR in UTC (vectorised, in parallel; first()/last()
   * follow the timestamp order). QuestDB 9.3.4 lays the buckets out as bucketStart does — a length dividing a day
   * from UTC midnight, `1w` from Mondays, `7d` from the epoch (Thursdays), `1M` calendar months; the contract
   * test checks it on real rows, and a bucket starting elsewhere is refused here rather than returned.
   */
  async aggregate(series: SeriesRef, span: Span, bucket: BucketSpec): Promise<CandleBucket[]> {
    await this.ready();
    const { where, params } = seriesFilter(series, span);
    const rows = await this.query<SampleRow>(
      `SELECT cast(ts AS LONG) ts_us, first(open) open, max(high) high, min(low) low, last(close) close, ` +
        `sum(volume) volume, sum(trades) trades, count() n, sum(vwap * volume) vwap_volume, count(vwap) vwap_n
         FROM ${this.table} WHERE ${where} SAMPLE BY ${sampleUnit(bucket)} ALIGN TO CALENDAR`,
      params,
      'array',
    );
    return rows.map((r) => {
      const b = toBucket(r);
      if (bucketStart(bucket, b.ts) !== b.ts)
        throw new QuestDbQueryError(
          `QuestDB sampled a bucket at ${isoOfSeconds(b.ts)}, not at a start of ${JSON.stringify(bucket)}`,
        );
      return b;
    });
  }

  async deleteRange(series: SeriesRef, span: Span): Promise<number> {
    const removed = await this.count(series, span);
    if (removed === 0) return 0;
    const { where, params } = seriesFilter(series, span);
    await this.query(`UPDATE ${this.table} SET source = '${DELETED_SOURCE}' WHERE ${where}`, params);
    await this.awaitVisible(this.table);
    return removed;
  }

  async health(): Promise<CandleStoreHealth> {
    const problems: string[] = [];
    try {
      await this.query('SELECT 1');
    } catch (e) {
      problems.push(
        e instanceof QuestDbUnavailableError ? e.message : `PG wire (QUESTDB_PG_URL): ${(e as Error).message}`,
      );
    }
    const ilp = parseIlpConfig(this.settings.ilp);
    const tcp = await tcpProblem(ilp.host ?? '', ilp.port ?? 9000);
    if (tcp) problems.push(`ILP/HTTP (QUESTDB_ILP) ${ilp.host}:${ilp.port}: ${tcp}`);
    return problems.length === 0
      ? { store: 'questdb', reachable: true }
      : { store: 'questdb', reachable: false, error: problems.join('; ') };
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pool;
    const channel = this.channel;
    this.pool = undefined;
    this.channel = undefined;
    if (pool) await pool.end();
    if (channel) await (await channel.catch(() => undefined))?.close();
  }

  /**
   * A 400 from ILP most often means the table no longer fits the rows (altered
   * or re-created by hand): re-check the schema and report a mismatch as such.
   */
  private async diagnoseRejection(error: unknown): Promise<unknown> {
    if (!(error instanceof QuestDbWriteRejectedError) || error.status !== 400) return error;
    this.schema = undefined;
    try {
      await this.ready();
    } catch (schemaError) {
      if (schemaError instanceof QuestDbSchemaMismatchError) return schemaError;
    }
    return error;
  }

  /** Waits until QuestDB's WAL applied everything acknowledged so far to `table`. */
  private async awaitVisible(table: string): Promise<void> {
    await waitUntilApplied(table, () => this.walState(table), { timeoutMs: this.settings.visibilityTimeoutMs });
  }

  /** Throws when the table's WAL is suspended: nothing written to it now would become visible. */
  private async assertWalApplying(table: string): Promise<void> {
    const state = await this.walState(table);
    if (state?.suspended)
      throw walSuspendedError(table, state, 'nothing of this load was committed to it, and no write will be visible');
  }

  private async walState(table: string): Promise<WalState | null> {
    const [row] = await this.query<{ suspended: boolean; writerTxn: string; sequencerTxn: string }>(
      `SELECT suspended, writerTxn, sequencerTxn FROM wal_tables() WHERE name = '${table}'`,
    );
    if (!row) return null;
    return { suspended: row.suspended, writerTxn: Number(row.writerTxn), sequencerTxn: Number(row.sequencerTxn) };
  }

  /** Ensures the schema once per process; a failure is not remembered, so the next call tries again. */
  private ready(): Promise<void> {
    this.schema ??= this.ensureSchema().catch((e: unknown) => {
      this.schema = undefined;
      throw e;
    });
    return this.schema;
  }

  private ilp(): Promise<IlpChannel> {
    const log: IlpLog = (level, message) => {
      const text = message instanceof Error ? message.message : message;
      if (level === 'error') this.logger.error(text);
      else if (level === 'warn') this.logger.warn(text);
      else this.logger.debug(text);
    };
    this.channel ??= IlpChannel.open(this.settings.ilp, log).catch((e: unknown) => {
      this.channel = undefined;
      throw e;
    });
    return this.channel;
  }

  private async query<T extends QueryResultRow | unknown[]>(
    sql: string,
    params: unknown[] = [],
    rowMode?: 'array',
  ): Promise<T[]> {
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.settings.pgUrl,
        max: 4,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 10_000,
      });
      this.pool.on('error', (e) => this.logger.warn(`idle QuestDB PG-wire connection failed: ${e.message}`));
    }
    try {
      const result = rowMode
        ? await this.pool.query<T & unknown[]>({ text: sql, values: params, rowMode })
        : await this.pool.query<T & QueryResultRow>(sql, params);
      return result.rows;
    } catch (e) {
      // Checked at start-up too (questdb-credentials.ts); changed since, it is still a configuration error,
      // not a query's.
      if (isPgAuthFailure(e)) throw pgCredentialsError(this.settings.pgUrl, e);
      const err = e as NodeJS.ErrnoException;
      const socket = typeof err.code === 'string' && SOCKET_ERRORS.has(err.code);
      if (socket || /timeout|terminated|Connection ended/i.test(err.message)) {
        const detail = err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message;
        throw new QuestDbUnavailableError(`PG wire (QUESTDB_PG_URL) unreachable: ${detail}`, undefined, { cause: e });
      }
      throw new QuestDbQueryError(`QuestDB query failed: ${err.message} [${sql.split('\n')[0]}]`, { cause: e });
    }
  }
}

/**
 * Rows per chunk of a bulk load's streamed request (~1.4 MB at protocol 2): the encoder's two buffers stay
 * small, and the socket always has the next chunk ready.
 */
const STREAM_CHUNK_ROWS = 8_192;

/** The live candles of a series, optionally within an inclusive span: `$1` symbol, `$2` interval, `$3`/`$4` bounds. */
function seriesFilter(series: SeriesRef, span?: Span): { where: string; params: unknown[] } {
  const where = [`asset = $1`, `interval_minutes = $2`, `source != '${DELETED_SOURCE}'`];
  const params: unknown[] = [series.symbol, series.intervalMinutes];
  if (span) {
    where.push(`ts >= $3`, `ts <= $4`);
    params.push(isoOfSeconds(span.from), isoOfSeconds(span.to));
  }
  return { where: where.join(' AND '), params };
}

/** Differences between table_columns('assetprice') and what candlekeep writes. */
export function schemaProblems(
  rows: ReadonlyArray<{ column: string; type: string; designated: boolean; upsertKey: boolean }>,
): string[] {
  const problems: string[] = [];
  const byName = new Map(rows.map((r) => [r.column, r]));
  for (const [column, type] of Object.entries(ASSETPRICE_COLUMNS)) {
    const actual = byName.get(column);
    if (!actual) problems.push(`column ${column} is missing`);
    else if (actual.type.toUpperCase() !== type) problems.push(`column ${column} is ${actual.type}, expected ${type}`);
  }
  if (byName.get('ts')?.designated !== true) problems.push('ts is not the designated timestamp');
  const keys = rows
    .filter((r) => r.upsertKey)
    .map((r) => r.column)
    .sort();
  const expected = [...ASSETPRICE_UPSERT_KEYS].sort();
  if (keys.join(',') !== expected.join(',')) {
    problems.push(
      `DEDUP UPSERT KEYS are (${keys.join(', ') || 'none'}), expected (${ASSETPRICE_UPSERT_KEYS.join(', ')})`,
    );
  }
  return problems;
}
