import { Expose, Transform, plainToInstance } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidationError,
  validateSync,
} from 'class-validator';
import { LOG_LEVELS, LogLevelName } from '../common/stderr-logger';
import { ASSETPRICE, ilpConfigProblem, TABLE_NAME_RE } from './questdb-settings';
import { ConfigError } from '../common/errors';
import { resolve } from 'node:path';
import { cronProblem } from './cron-expression';
import { loadTiersFile } from './tiers-file';
import { INTERVALS, isInterval } from '../common/enums';

export const CANDLE_STORES = ['postgres', 'questdb'] as const;
export type CandleStoreKind = (typeof CANDLE_STORES)[number];

const BOOL_TRUE = new Set(['true', 'on', '1', 'yes']);
const BOOL_FALSE = new Set(['false', 'off', '0', 'no']);

/** Parses on/off, true/false, 1/0, yes/no; anything else stays a string so validation names it. */
function toBool({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (BOOL_TRUE.has(v)) return true;
  if (BOOL_FALSE.has(v)) return false;
  return value;
}

function toNumber({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const n = Number(value);
  return Number.isNaN(n) ? value : n;
}

function toDate({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  // ISO-8601 only: a date with a time needs an explicit zone so that runs are reproducible.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim())) return value;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? value : d;
}

function emptyToUndefined({ value }: { value: unknown }): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** Cron expressions checked field by field (cron-expression.ts): the message names the field and the value. */
const CRON_VALIDATION = {
  name: 'cron',
  validator: {
    validate: (value: unknown) => typeof value === 'string' && cronProblem(value) === null,
    defaultMessage: (args?: { value?: unknown }) => cronProblem(String(args?.value ?? '')) ?? 'not a cron expression',
  },
};
const cron = (value: unknown, fallback: string) =>
  value === undefined || value === '' ? fallback : String(value).trim();

export interface BackfillSet {
  tier: string;
  intervals: number[];
}

/** "TIER1:60,1440;TIER2:1440" → [{tier: 'TIER1', intervals: [60, 1440]}, ...]; anything malformed stays a string for validation. */
function toBackfillSets({ value }: { value: unknown }): unknown {
  if (value === undefined || value === '') return [{ tier: 'TIER1', intervals: [60, 1440] }];
  const sets: BackfillSet[] = [];
  for (const part of String(value)
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(TIER[1-4]):(\d+(?:,\d+)*)$/i.exec(part);
    if (!m) return value;
    const intervals = m[2]!.split(',').map(Number);
    if (!intervals.every(isInterval)) return value; // an interval Kraken does not serve: named by validation
    sets.push({ tier: m[1]!.toUpperCase(), intervals });
  }
  return sets;
}

export const KRAKEN_ENDPOINTS = [
  'Time',
  'SystemStatus',
  'Assets',
  'AssetPairs',
  'Ticker',
  'OHLC',
  'Trades',
  'Depth',
] as const;
export type KrakenEndpointName = (typeof KRAKEN_ENDPOINTS)[number];

/**
 * "Trades=10000,OHLC=20000" → {Trades: 10000, OHLC: 20000}, each value a whole number in [min, max]; anything
 * else stays a string so validation names it.
 */
function toEndpointNumbers(min: number, max: number) {
  return ({ value }: { value: unknown }): unknown => {
    if (value === undefined || value === '') return {};
    const out: Partial<Record<KrakenEndpointName, number>> = {};
    for (const part of String(value)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z]+)=(\d{1,10})$/.exec(part);
      const endpoint = KRAKEN_ENDPOINTS.find((e) => e.toLowerCase() === m?.[1]?.toLowerCase());
      const n = Number(m?.[2]);
      if (!m || !endpoint || n < min || n > max) return value;
      out[endpoint] = n;
    }
    return out;
  };
}

const isEndpointMap = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

const ENV_NAMES = new Map<string, string>();

/** Binds a config property to its environment variable (and remembers the name for error messages). */
function Env(variable: string): PropertyDecorator {
  return (target, property) => {
    ENV_NAMES.set(String(property), variable);
    Expose({ name: variable })(target, property);
  };
}

/**
 * The one typed configuration object, read from the environment (DESIGN.md §4)
 * and validated at start-up. Property names are camelCase; each is exposed
 * under its environment variable name.
 */
export class AppConfig {
  @Env('DATABASE_URL')
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// or postgresql:// URL' })
  databaseUrl?: string;

  /** More attempts to reach DATABASE_URL at start (exponential backoff), for a server that starts before its database. */
  @Env('DATABASE_CONNECT_RETRIES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 0 : toNumber(p)))
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be >= 0' })
  @Max(100, { message: 'must be <= 100' })
  databaseConnectRetries = 0;

  @Env('CANDLE_STORE')
  @Transform(({ value }) => (value === undefined || value === '' ? 'postgres' : value))
  @IsIn(CANDLE_STORES as unknown as string[], { message: `must be one of ${CANDLE_STORES.join(', ')}` })
  candleStore: CandleStoreKind = 'postgres';

  @Env('QUESTDB_ILP')
  @Transform(emptyToUndefined)
  @IsOptional()
  // Parsed (with the QuestDB client's own parser) only when the QuestDB store is used: loading the client for an
  // unused setting cost a postgres-store ingest ~95 MB of peak RSS (measured: 140 → 235 MB at 2M rows).
  @ValidateIf((config: AppConfig) => config.candleStore === 'questdb')
  @ValidateBy({
    name: 'ilpConfig',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && ilpConfigProblem(value) === undefined,
      defaultMessage: (args) => ilpConfigProblem(String(args?.value)) ?? 'invalid ILP config string',
    },
  })
  questdbIlp?: string;

  @Env('QUESTDB_PG_URL')
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL (QuestDB PG wire, port 8812)' })
  questdbPgUrl?: string;

  /** The QuestDB candle table (one per deployment sharing a QuestDB; the tests use one per test database). */
  @Env('QUESTDB_TABLE')
  @Transform(({ value }) => (value === undefined || value === '' ? ASSETPRICE : value))
  @Matches(TABLE_NAME_RE, {
    message: 'must be a table name of letters, digits and underscores, not starting with a digit (at most 127)',
  })
  questdbTable = ASSETPRICE;

  /** Rows per ILP/HTTP request of an upsert (one QuestDB transaction each); a bulk load is one streamed request. */
  @Env('QUESTDB_BATCH_ROWS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 50_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of rows' })
  @Min(1, { message: 'must be >= 1' })
  @Max(10_000_000, { message: 'must be <= 10000000' })
  questdbBatchRows = 50_000;

  /** How long a write waits for QuestDB's WAL to apply it (make it visible to reads). */
  @Env('QUESTDB_VISIBILITY_TIMEOUT_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 30_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(1, { message: 'must be >= 1' })
  @Max(3_600_000, { message: 'must be <= 3600000 (an hour)' })
  questdbVisibilityTimeoutMs = 30_000;

  @Env('KRAKEN_API_URL')
  @Transform(({ value }) => (value === undefined || value === '' ? 'https://api.kraken.com' : value))
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  krakenApiUrl = 'https://api.kraken.com';

  @Env('KRAKEN_RPS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 1 : toNumber(p)))
  @IsNumber({}, { message: 'must be a number' })
  @IsPositive({ message: 'must be > 0' })
  @Max(1000, { message: 'must be <= 1000' })
  krakenRps = 1;

  @Env('KRAKEN_BURST')
  @Transform((p) => (p.value === undefined || p.value === '' ? 1 : toNumber(p)))
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be >= 1' })
  @Max(1000, { message: 'must be <= 1000' })
  krakenBurst = 1;

  @Env('KRAKEN_TIMEOUT_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 30_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(1, { message: 'must be >= 1' })
  @Max(600_000, { message: 'must be <= 600000 (10 minutes)' })
  krakenTimeoutMs = 30_000;

  @Env('KRAKEN_MAX_RETRIES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 5 : toNumber(p)))
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be >= 0' })
  @Max(100, { message: 'must be <= 100' })
  krakenMaxRetries = 5;

  /** Network failures in a row (no HTTP answer) after which a run stops: Kraken is unreachable. */
  @Env('KRAKEN_UNREACHABLE_AFTER')
  @Transform((p) => (p.value === undefined || p.value === '' ? 6 : toNumber(p)))
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be >= 1' })
  @Max(1000, { message: 'must be <= 1000' })
  krakenUnreachableAfter = 6;

  @Env('KRAKEN_BACKOFF_BASE_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 1_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(0, { message: 'must be >= 0' })
  @Max(600_000, { message: 'must be <= 600000 (10 minutes)' })
  krakenBackoffBaseMs = 1_000;

  @Env('KRAKEN_BACKOFF_MAX_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 60_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(0, { message: 'must be >= 0' })
  @Max(3_600_000, { message: 'must be <= 3600000 (an hour)' })
  krakenBackoffMaxMs = 60_000;

  /** Per-endpoint request timeouts over KRAKEN_TIMEOUT_MS, e.g. "Trades=10000,OHLC=20000". */
  @Env('KRAKEN_ENDPOINT_TIMEOUTS_MS')
  @Transform(toEndpointNumbers(1, 600_000))
  @ValidateBy({
    name: 'endpointTimeouts',
    validator: {
      validate: isEndpointMap,
      defaultMessage: () =>
        `must look like Trades=10000,OHLC=20000 (endpoints ${KRAKEN_ENDPOINTS.join(', ')}; 1..600000 ms)`,
    },
  })
  krakenEndpointTimeoutsMs: Partial<Record<KrakenEndpointName, number>> = {};

  /** Per-endpoint retries over KRAKEN_MAX_RETRIES, e.g. "Trades=2". */
  @Env('KRAKEN_ENDPOINT_RETRIES')
  @Transform(toEndpointNumbers(0, 100))
  @ValidateBy({
    name: 'endpointRetries',
    validator: {
      validate: isEndpointMap,
      defaultMessage: () => `must look like Trades=2,OHLC=5 (endpoints ${KRAKEN_ENDPOINTS.join(', ')}; 0..100)`,
    },
  })
  krakenEndpointRetries: Partial<Record<KrakenEndpointName, number>> = {};

  @Env('TRADES_BACKFILL')
  @Transform((p) => (p.value === undefined || p.value === '' ? true : toBool(p)))
  @IsBoolean({ message: 'must be on or off' })
  tradesBackfill = true;

  @Env('SCHEDULES_ENABLED')
  @Transform((p) => (p.value === undefined || p.value === '' ? true : toBool(p)))
  @IsBoolean({ message: 'must be true or false' })
  schedulesEnabled = true;

  @Env('CANDLEKEEP_NOW')
  @Transform(toDate)
  @IsOptional()
  @IsDate({ message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' })
  pinnedNow?: Date;

  /** How often a running job writes its heartbeat and counters; a RUNNING job silent for 3× this is stale. */
  @Env('JOB_HEARTBEAT_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 5_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(50, { message: 'must be >= 50' })
  @Max(600_000, { message: 'must be <= 600000 (10 minutes)' })
  jobHeartbeatMs = 5_000;

  @Env('LOG_LEVEL')
  @Transform(({ value }) => (value === undefined || value === '' ? 'info' : String(value).toLowerCase()))
  @IsIn(LOG_LEVELS as unknown as string[], { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevelName = 'info';

  @Env('PORT')
  @Transform((p) => (p.value === undefined || p.value === '' ? 3000 : toNumber(p)))
  @IsInt({ message: 'must be an integer port' })
  @Min(0)
  @Max(65535)
  port = 3000;

  /** The HTTP bind address: loopback unless the service is meant to be reached from elsewhere. */
  @Env('HOST')
  @Transform(({ value }) => (value === undefined || value === '' ? '127.0.0.1' : String(value).trim()))
  @Matches(/^[A-Za-z0-9.:-]{1,253}$/, { message: 'must be an IP address or a host name' })
  host = '127.0.0.1';

  /** Where the embedded PostgreSQL and other local state live. */
  @Env('CANDLEKEEP_HOME')
  @Transform(({ value }) => (value === undefined || value === '' ? '.candlekeep' : value))
  @IsString()
  home = '.candlekeep';

  @Env('REPORTS_DIR')
  @Transform(({ value }) => (value === undefined || value === '' ? 'reports' : value))
  @IsString()
  reportsDir = 'reports';

  @Env('ALERT_WEBHOOK_URL')
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL' },
  )
  alertWebhookUrl?: string;

  @Env('CRON_BACKFILL')
  @Transform(({ value }) => cron(value, '0 2 * * *'))
  @ValidateBy(CRON_VALIDATION)
  cronBackfill = '0 2 * * *';

  @Env('CRON_CLEANUP')
  @Transform(({ value }) => cron(value, '0 3 * * 0'))
  @ValidateBy(CRON_VALIDATION)
  cronCleanup = '0 3 * * 0';

  @Env('CRON_REPORT')
  @Transform(({ value }) => cron(value, '0 8 * * *'))
  @ValidateBy(CRON_VALIDATION)
  cronReport = '0 8 * * *';

  @Env('CRON_VALIDATE')
  @Transform(({ value }) => cron(value, '0 * * * *'))
  @ValidateBy(CRON_VALIDATION)
  cronValidate = '0 * * * *';

  @Env('CRON_UPDATE_MARKET_DATA')
  @Transform(({ value }) => cron(value, '*/15 * * * *'))
  @ValidateBy(CRON_VALIDATION)
  cronUpdateMarketData = '*/15 * * * *';

  @Env('CRON_RECOVER_STALE_JOBS')
  @Transform(({ value }) => cron(value, '*/5 * * * *'))
  @ValidateBy(CRON_VALIDATION)
  cronRecoverStaleJobs = '*/5 * * * *';

  /** Tier/interval sets of the scheduled incremental backfill: "TIER1:60,1440;TIER2:1440". */
  @Env('BACKFILL_SETS')
  @Transform(toBackfillSets)
  @IsArray({ message: `must look like TIER1:60,1440;TIER2:1440 with intervals among ${INTERVALS.join(', ')}` })
  backfillSets: BackfillSet[] = [{ tier: 'TIER1', intervals: [60, 1440] }];

  @Env('BACKFILL_LOOKBACK_DAYS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 7 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of days' })
  @Min(1)
  @Max(36_500, { message: 'must be <= 36500 (a century)' })
  backfillLookbackDays = 7;

  /** Rejected rows stored per file (with line, reason and raw text); beyond, they are counted, not stored. */
  @Env('INGEST_MAX_STORED_REJECTS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 10_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of rows' })
  @Min(0, { message: 'must be >= 0' })
  @Max(10_000_000, { message: 'must be <= 10000000' })
  ingestMaxStoredRejects = 10_000;

  /** How long backfill waits for a series another process is writing (an ingest, another backfill) before skipping it. */
  @Env('BACKFILL_CLAIM_WAIT_MS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 60_000 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of milliseconds' })
  @Min(0, { message: 'must be >= 0' })
  @Max(3_600_000, { message: 'must be <= 3600000 (an hour)' })
  backfillClaimWaitMs = 60_000;

  /** A FAILED gap waits this long before any process retries it, doubling with each failed attempt... */
  @Env('GAP_RETRY_BASE_MINUTES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 15 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of minutes' })
  @Min(0, { message: 'must be >= 0' })
  @Max(525_600, { message: 'must be <= 525600 (a year)' })
  gapRetryBaseMinutes = 15;

  /** ... up to this wait. */
  @Env('GAP_RETRY_MAX_MINUTES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 1440 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of minutes' })
  @Min(0, { message: 'must be >= 0' })
  @Max(525_600, { message: 'must be <= 525600 (a year)' })
  gapRetryMaxMinutes = 1440;

  /** A run of missing candles inside a file is suspect from this many candles on (when it is implausible, see below). */
  @Env('NO_TRADE_SUSPECT_MIN_CANDLES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 1 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of candles' })
  @Min(1, { message: 'must be >= 1' })
  noTradeSuspectMinCandles = 1;

  /**
   * A run of k missing candles is implausible when k × (the trades per candle around it: the lower of the
   * medians of the 12 candles before and the 12 after) reaches this many trades.
   */
  @Env('NO_TRADE_SUSPECT_TRADES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 500 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of trades' })
  @Min(1, { message: 'must be >= 1' })
  noTradeSuspectTrades = 500;

  @Env('CLEANUP_DAYS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 90 : toNumber(p)))
  @IsInt({ message: 'must be an integer number of days' })
  @Min(0)
  @Max(36_500, { message: 'must be <= 36500 (a century)' })
  cleanupDays = 90;

  @Env('STALE_HOURS')
  @Transform((p) => (p.value === undefined || p.value === '' ? 24 : toNumber(p)))
  @IsNumber({}, { message: 'must be a number of hours' })
  @IsPositive()
  @Max(876_000, { message: 'must be <= 876000 (a century)' })
  staleHours = 24;

  @Env('STALE_JOB_MINUTES')
  @Transform((p) => (p.value === undefined || p.value === '' ? 5 : toNumber(p)))
  @IsNumber({}, { message: 'must be a number of minutes' })
  @IsPositive()
  @Max(525_600, { message: 'must be <= 525600 (a year)' })
  staleJobMinutes = 5;

  @Env('UPDATE_CATEGORIES')
  @Transform(({ value }) =>
    value === undefined || value === ''
      ? ['crypto', 'forex', 'stock', 'commodity']
      : String(value)
          .split(',')
          .map((s) => s.trim().toLowerCase()),
  )
  @IsIn(['crypto', 'forex', 'stock', 'commodity'], {
    each: true,
    message: 'must be a comma list of crypto, forex, stock, commodity',
  })
  updateCategories: string[] = ['crypto', 'forex', 'stock', 'commodity'];

  @Env('TIERS_FILE')
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  tiersFile?: string;
}

function flatten(errors: ValidationError[], out: ValidationError[] = []): ValidationError[] {
  for (const e of errors) {
    if (e.constraints) out.push(e);
    if (e.children?.length) flatten(e.children, out);
  }
  return out;
}

/**
 * Reads and validates the configuration. Throws ConfigError naming every bad
 * variable and its value; callers turn that into exit code 2 or a failed start.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config = plainToInstance(AppConfig, { ...env }, { excludeExtraneousValues: true, exposeDefaultValues: true });
  const errors = flatten(validateSync(config, { forbidUnknownValues: false }));
  const problems = errors.map((e) => {
    const variable = ENV_NAMES.get(e.property) ?? e.property;
    // The first check declared on the field is the most basic one (a number at all, before its range):
    // class-validator reports in reverse declaration order, and "lots" is not a number — not also out of range.
    return { variable, value: env[variable], problem: Object.values(e.constraints ?? {}).reverse()[0] ?? 'invalid' };
  });
  if (config.candleStore === 'questdb') {
    for (const variable of ['QUESTDB_ILP', 'QUESTDB_PG_URL']) {
      const value = env[variable];
      if (value === undefined || value.trim() === '') {
        problems.push({ variable, value, problem: 'required when CANDLE_STORE=questdb' });
      }
    }
  }
  if (config.tiersFile && problems.length === 0) {
    try {
      loadTiersFile(resolve(config.tiersFile));
    } catch (e) {
      problems.push({
        variable: 'TIERS_FILE',
        value: env.TIERS_FILE,
        problem: (e as Error).message.replace(/^TIERS_FILE=\S+: /, ''),
      });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.variable}=${JSON.stringify(p.value ?? '')}: ${p.problem}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`, problems);
  }
  return config;
}
