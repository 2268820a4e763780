import { validateSync, ValidationError } from 'class-validator';
import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { ConfigError } from '../common/errors';
import { ASSET_CATEGORIES, AssetCategory, INTERVALS, IntervalMinutes, isInterval, Tier, TIERS } from '../common/enums';
import { LOG_LEVELS, LogLevelName } from '../common/stderr-logger';
import {
  EnvBool,
  EnvCron,
  EnvDate,
  EnvEnum,
  EnvGroup,
  EnvInt,
  EnvList,
  EnvNumber,
  EnvParsed,
  envSettings,
  EnvString,
  EnvUrl,
  envVariableOf,
  readEnv,
} from './env-decorators';
import { ASSETPRICE, ilpConfigProblem, TABLE_NAME_RE } from './questdb-settings';
import { loadTiersFile } from './tiers-file';

export const CANDLE_STORES = ['postgres', 'questdb'] as const;
export type CandleStoreKind = (typeof CANDLE_STORES)[number];

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
export type PerEndpoint = Readonly<Partial<Record<KrakenEndpointName, number>>>;

export interface BackfillSet {
  readonly tier: Tier;
  readonly intervals: readonly IntervalMinutes[];
}

/** "TIER1:60,1440;TIER2:1440" → [{tier: 'TIER1', intervals: [60, 1440]}, ...]; undefined when malformed. */
function parseBackfillSets(value: string): BackfillSet[] | undefined {
  const sets: BackfillSet[] = [];
  for (const part of value
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(TIER[1-4]):(\d+(?:,\d+)*)$/i.exec(part);
    if (!m) return undefined;
    const tier = TIERS.find((t) => t === m[1]!.toUpperCase()); // both groups always match
    const intervals = m[2]!.split(',').map(Number);
    if (!tier || !intervals.every(isInterval)) return undefined; // an interval Kraken does not serve
    sets.push({ tier, intervals });
  }
  return sets;
}

/** "Trades=10000,OHLC=20000" → {Trades: 10000, OHLC: 20000}, each a whole number in [min, max]; else undefined. */
function endpointNumbers(min: number, max: number) {
  return (value: string): PerEndpoint | undefined => {
    const out: Partial<Record<KrakenEndpointName, number>> = {};
    for (const part of value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([A-Za-z]+)=(\d{1,10})$/.exec(part);
      const endpoint = KRAKEN_ENDPOINTS.find((e) => e.toLowerCase() === m?.[1]?.toLowerCase());
      const n = Number(m?.[2]);
      if (!m || !endpoint || n < min || n > max) return undefined;
      out[endpoint] = n;
    }
    return out;
  };
}

const POSTGRES_URL = /^postgres(ql)?:\/\/.+/;

export class DatabaseConfig {
  @EnvString('DATABASE_URL', { pattern: POSTGRES_URL, message: 'must be a postgres:// or postgresql:// URL' })
  readonly url?: string;

  /** More attempts to reach DATABASE_URL at start (exponential backoff): a server may start before its database. */
  @EnvInt('DATABASE_CONNECT_RETRIES', { default: 0, min: 0, max: 100 })
  readonly connectRetries!: number;

  /** Where the embedded PostgreSQL and other local state live. */
  @EnvString('CANDLEKEEP_HOME', { default: '.candlekeep' })
  readonly home!: string;
}

export class QuestDbConfig {
  /**
   * Parsed (with the QuestDB client's own parser) only when the QuestDB store is used, by loadConfig: loading the
   * client for an unused setting cost a postgres-store ingest ~95 MB of peak RSS (measured: 140 → 235 MB at 2M rows).
   */
  @EnvString('QUESTDB_ILP')
  readonly ilp?: string;

  @EnvString('QUESTDB_PG_URL', {
    pattern: POSTGRES_URL,
    message: 'must be a postgres:// URL (QuestDB PG wire, port 8812)',
  })
  readonly pgUrl?: string;

  /** The QuestDB candle table (one per deployment sharing a QuestDB; the tests use one per test database). */
  @EnvString('QUESTDB_TABLE', {
    default: ASSETPRICE,
    pattern: TABLE_NAME_RE,
    message: 'must be a table name of letters, digits and underscores, not starting with a digit (at most 127)',
  })
  readonly table!: string;

  /** Rows per ILP/HTTP request of an upsert (one QuestDB transaction each); a bulk load is one streamed request. */
  @EnvInt('QUESTDB_BATCH_ROWS', {
    default: 50_000,
    message: 'must be an integer number of rows',
    min: 1,
    max: 10_000_000,
  })
  readonly batchRows!: number;

  /** How long a write waits for QuestDB's WAL to apply it (make it visible to reads). */
  @EnvInt('QUESTDB_VISIBILITY_TIMEOUT_MS', {
    default: 30_000,
    unit: 'milliseconds',
    min: 1,
    max: 3_600_000,
    maxNote: 'an hour',
  })
  readonly visibilityTimeoutMs!: number;
}

export class KrakenConfig {
  @EnvUrl('KRAKEN_API_URL', { default: 'https://api.kraken.com' })
  readonly apiUrl!: string;

  @EnvNumber('KRAKEN_RPS', { default: 1, max: 1000 })
  readonly rps!: number;

  @EnvInt('KRAKEN_BURST', { default: 1, min: 1, max: 1000 })
  readonly burst!: number;

  @EnvInt('KRAKEN_TIMEOUT_MS', { default: 30_000, unit: 'milliseconds', min: 1, max: 600_000, maxNote: '10 minutes' })
  readonly timeoutMs!: number;

  @EnvInt('KRAKEN_MAX_RETRIES', { default: 5, min: 0, max: 100 })
  readonly maxRetries!: number;

  /** Network failures in a row (no HTTP answer) after which a run stops: Kraken is unreachable. */
  @EnvInt('KRAKEN_UNREACHABLE_AFTER', { default: 6, min: 1, max: 1000 })
  readonly unreachableAfter!: number;

  @EnvInt('KRAKEN_BACKOFF_BASE_MS', {
    default: 1_000,
    unit: 'milliseconds',
    min: 0,
    max: 600_000,
    maxNote: '10 minutes',
  })
  readonly backoffBaseMs!: number;

  @EnvInt('KRAKEN_BACKOFF_MAX_MS', {
    default: 60_000,
    unit: 'milliseconds',
    min: 0,
    max: 3_600_000,
    maxNote: 'an hour',
  })
  readonly backoffMaxMs!: number;

  /** Per-endpoint request timeouts over KRAKEN_TIMEOUT_MS, e.g. "Trades=10000,OHLC=20000". */
  @EnvParsed<PerEndpoint>('KRAKEN_ENDPOINT_TIMEOUTS_MS', {
    default: {},
    parse: endpointNumbers(1, 600_000),
    message: `must look like Trades=10000,OHLC=20000 (endpoints ${KRAKEN_ENDPOINTS.join(', ')}; 1..600000 ms)`,
  })
  readonly endpointTimeoutsMs!: PerEndpoint;

  /** Per-endpoint retries over KRAKEN_MAX_RETRIES, e.g. "Trades=2". */
  @EnvParsed<PerEndpoint>('KRAKEN_ENDPOINT_RETRIES', {
    default: {},
    parse: endpointNumbers(0, 100),
    message: `must look like Trades=2,OHLC=5 (endpoints ${KRAKEN_ENDPOINTS.join(', ')}; 0..100)`,
  })
  readonly endpointRetries!: PerEndpoint;
}

export class BackfillConfig {
  /** Old gaps are rebuilt from trades (off: they are left to the archives). */
  @EnvBool('TRADES_BACKFILL', { default: true, message: 'must be on or off' })
  readonly fromTrades!: boolean;

  /** How long backfill waits for a series another process is writing (an ingest, a backfill) before skipping it. */
  @EnvInt('BACKFILL_CLAIM_WAIT_MS', {
    default: 60_000,
    unit: 'milliseconds',
    min: 0,
    max: 3_600_000,
    maxNote: 'an hour',
  })
  readonly claimWaitMs!: number;

  /** The categories update-market-data keeps current. */
  @EnvList('UPDATE_CATEGORIES', ASSET_CATEGORIES)
  readonly updateCategories!: readonly AssetCategory[];
}

export class SchedulesConfig {
  @EnvBool('SCHEDULES_ENABLED', { default: true, message: 'must be true or false' })
  readonly enabled!: boolean;

  @EnvCron('CRON_BACKFILL', { default: '0 2 * * *' })
  readonly backfill!: string;

  @EnvCron('CRON_CLEANUP', { default: '0 3 * * 0' })
  readonly cleanup!: string;

  @EnvCron('CRON_REPORT', { default: '0 8 * * *' })
  readonly report!: string;

  @EnvCron('CRON_VALIDATE', { default: '0 * * * *' })
  readonly validate!: string;

  @EnvCron('CRON_UPDATE_MARKET_DATA', { default: '*/15 * * * *' })
  readonly updateMarketData!: string;

  @EnvCron('CRON_RECOVER_STALE_JOBS', { default: '*/5 * * * *' })
  readonly recoverStaleJobs!: string;

  /** Tier/interval sets of the scheduled incremental backfill: "TIER1:60,1440;TIER2:1440". */
  @EnvParsed<readonly BackfillSet[]>('BACKFILL_SETS', {
    default: [{ tier: 'TIER1', intervals: [60, 1440] }],
    parse: parseBackfillSets,
    message: `must look like TIER1:60,1440;TIER2:1440 with intervals among ${INTERVALS.join(', ')}`,
  })
  readonly backfillSets!: readonly BackfillSet[];

  @EnvInt('BACKFILL_LOOKBACK_DAYS', {
    default: 7,
    unit: 'days',
    min: 1,
    // class-validator's own message, which names the property (as every @Min without a message did)
    minMessage: 'backfillLookbackDays must not be less than 1',
    max: 36_500,
    maxNote: 'a century',
  })
  readonly backfillLookbackDays!: number;
}

export class IngestConfig {
  /** Rejected rows stored per file (with line, reason and raw text); beyond, they are counted, not stored. */
  @EnvInt('INGEST_MAX_STORED_REJECTS', { default: 10_000, unit: 'rows', min: 0, max: 10_000_000 })
  readonly maxStoredRejects!: number;
}

export class GapsConfig {
  /** A FAILED gap waits this long before any process retries it, doubling with each failed attempt... */
  @EnvInt('GAP_RETRY_BASE_MINUTES', { default: 15, unit: 'minutes', min: 0, max: 525_600, maxNote: 'a year' })
  readonly retryBaseMinutes!: number;

  /** ... up to this wait. */
  @EnvInt('GAP_RETRY_MAX_MINUTES', { default: 1440, unit: 'minutes', min: 0, max: 525_600, maxNote: 'a year' })
  readonly retryMaxMinutes!: number;

  /** A run of missing candles inside a file is suspect from this many candles on (when implausible, see below). */
  @EnvInt('NO_TRADE_SUSPECT_MIN_CANDLES', { default: 1, unit: 'candles', min: 1 })
  readonly noTradeSuspectMinCandles!: number;

  /**
   * A run of k missing candles is implausible when k × (the trades per candle around it: the lower of the
   * medians of the 12 candles before and the 12 after) reaches this many trades.
   */
  @EnvInt('NO_TRADE_SUSPECT_TRADES', { default: 500, unit: 'trades', min: 1 })
  readonly noTradeSuspectTrades!: number;

  /** Closed gap records older than this many days are deleted by cleanup. */
  @EnvInt('CLEANUP_DAYS', {
    default: 90,
    unit: 'days',
    min: 0,
    minMessage: 'cleanupDays must not be less than 0',
    max: 36_500,
    maxNote: 'a century',
  })
  readonly cleanupDays!: number;
}

export class JobsConfig {
  /** How often a running job writes its heartbeat and counters; a RUNNING job silent for 3× this is stale. */
  @EnvInt('JOB_HEARTBEAT_MS', { default: 5_000, unit: 'milliseconds', min: 50, max: 600_000, maxNote: '10 minutes' })
  readonly heartbeatMs!: number;

  /** recover-stale-jobs: RUNNING jobs silent this long become PARTIAL. */
  @EnvNumber('STALE_JOB_MINUTES', {
    default: 5,
    unit: 'minutes',
    positiveMessage: 'staleJobMinutes must be a positive number',
    max: 525_600,
    maxNote: 'a year',
  })
  readonly staleMinutes!: number;
}

export class ReportsConfig {
  @EnvString('REPORTS_DIR', { default: 'reports' })
  readonly dir!: string;

  /** A series whose last covered candle is this far behind is stale. */
  @EnvNumber('STALE_HOURS', {
    default: 24,
    unit: 'hours',
    positiveMessage: 'staleHours must be a positive number',
    max: 876_000,
    maxNote: 'a century',
  })
  readonly staleHours!: number;

  @EnvUrl('ALERT_WEBHOOK_URL')
  readonly alertWebhookUrl?: string;
}

export class AssetsConfig {
  @EnvString('TIERS_FILE')
  readonly tiersFile?: string;
}

export class ServerConfig {
  @EnvInt('PORT', {
    default: 3000,
    message: 'must be an integer port',
    min: 0,
    minMessage: 'port must not be less than 0',
    max: 65535,
    maxMessage: 'port must not be greater than 65535',
  })
  readonly port!: number;

  /** The HTTP bind address: loopback unless the service is meant to be reached from elsewhere. */
  @EnvString('HOST', {
    default: '127.0.0.1',
    trim: true,
    pattern: /^[A-Za-z0-9.:-]{1,253}$/,
    message: 'must be an IP address or a host name',
  })
  readonly host!: string;

  /** Bearer tokens on the HTTP API (`candlekeep tokens create`); off is refused unless HOST is a loopback address. */
  @EnvBool('API_AUTH', { default: true, message: 'must be on or off' })
  readonly auth!: boolean;

  /** Requests one API token (or one client address, on public routes or with API_AUTH=off) may make per window. */
  @EnvInt('API_RATE_LIMIT', { default: 1000, unit: 'requests', min: 1, max: 1_000_000 })
  readonly rateLimit!: number;

  @EnvInt('API_RATE_WINDOW_SECONDS', { default: 60, unit: 'seconds', min: 1, max: 86_400, maxNote: 'a day' })
  readonly rateWindowSeconds!: number;

  /**
   * Memory for aggregated buckets of the past, served instead of re-reading their candles (README "Aggregate
   * cache"); 0 turns the cache off.
   */
  @EnvInt('AGGREGATE_CACHE_MB', { default: 64, unit: 'megabytes', min: 0, max: 65_536 })
  readonly aggregateCacheMb!: number;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** localhost, 127.0.0.0/8 or ::1: an address only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const family = isIP(host);
  if (family === 0) return host.toLowerCase() === 'localhost';
  return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The one typed configuration, read from the environment and validated once at start-up (loadConfig): a few
 * settings of the whole process and read-only groups by concern. Each setting's variable, parsing, validation
 * and default are in its decorator (env-decorators.ts).
 */
export class AppConfig {
  @EnvGroup(DatabaseConfig)
  readonly database!: DatabaseConfig;

  @EnvEnum('CANDLE_STORE', CANDLE_STORES, { default: 'postgres' })
  readonly candleStore!: CandleStoreKind;

  @EnvGroup(QuestDbConfig)
  readonly questdb!: QuestDbConfig;

  @EnvGroup(KrakenConfig)
  readonly kraken!: KrakenConfig;

  @EnvGroup(BackfillConfig)
  readonly backfill!: BackfillConfig;

  @EnvGroup(SchedulesConfig)
  readonly schedules!: SchedulesConfig;

  /** The domain clock pinned (runs and tests reproducible), or the real time when unset. */
  @EnvDate('CANDLEKEEP_NOW', { message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' })
  readonly pinnedNow?: Date;

  @EnvGroup(JobsConfig)
  readonly jobs!: JobsConfig;

  @EnvEnum('LOG_LEVEL', LOG_LEVELS, { default: 'info', lowercase: true })
  readonly logLevel!: LogLevelName;

  @EnvGroup(ServerConfig)
  readonly server!: ServerConfig;

  @EnvGroup(ReportsConfig)
  readonly reports!: ReportsConfig;

  @EnvGroup(IngestConfig)
  readonly ingest!: IngestConfig;

  @EnvGroup(GapsConfig)
  readonly gaps!: GapsConfig;

  @EnvGroup(AssetsConfig)
  readonly assets!: AssetsConfig;
}

interface Problem {
  variable: string;
  value: string | undefined;
  problem: string;
}

function flatten(errors: ValidationError[], out: ValidationError[] = []): ValidationError[] {
  for (const e of errors) {
    if (e.constraints) out.push(e);
    if (e.children?.length) flatten(e.children, out);
  }
  return out;
}

/** With CANDLE_STORE=questdb: QUESTDB_ILP as the client parses it, and the settings that store requires. */
function storeProblems(config: AppConfig, env: NodeJS.ProcessEnv): { invalid: Problem[]; missing: Problem[] } {
  const out = { invalid: [] as Problem[], missing: [] as Problem[] };
  if (config.candleStore !== 'questdb') return out;
  const required = 'required when CANDLE_STORE=questdb';
  const { ilp, pgUrl } = config.questdb;
  const ilpProblem = ilp === undefined ? undefined : ilpConfigProblem(ilp);
  if (ilpProblem !== undefined)
    out.invalid.push({ variable: 'QUESTDB_ILP', value: env.QUESTDB_ILP, problem: ilpProblem });
  if (ilp === undefined) out.missing.push({ variable: 'QUESTDB_ILP', value: env.QUESTDB_ILP, problem: required });
  if (pgUrl === undefined)
    out.missing.push({ variable: 'QUESTDB_PG_URL', value: env.QUESTDB_PG_URL, problem: required });
  return out;
}

/** API_AUTH=off on an address other machines reach would serve every route to anyone. */
function serverProblems(config: AppConfig, env: NodeJS.ProcessEnv): Problem[] {
  const { auth, host } = config.server;
  if (auth !== false || typeof host !== 'string' || isLoopbackHost(host)) return [];
  return [
    {
      variable: 'API_AUTH',
      value: env.API_AUTH,
      problem:
        `off is refused with HOST=${host}: the API would answer anyone without a token; ` +
        'bind a loopback address (HOST=127.0.0.1) or keep API_AUTH=on and create tokens (candlekeep tokens create)',
    },
  ];
}

function freeze(config: AppConfig): AppConfig {
  for (const value of Object.values(config))
    if (typeof value === 'object' && !(value instanceof Date)) Object.freeze(value);
  return Object.freeze(config);
}

/**
 * Reads and validates the configuration. Throws ConfigError naming every bad variable and its value (in the
 * order the settings are declared, then the ones missing); callers turn that into exit code 2 or a failed start.
 * The entry points call it once (src/preflight.ts) and hand the result to ConfigModule.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config = readEnv(AppConfig, env);
  const invalid: Problem[] = flatten(validateSync(config, { forbidUnknownValues: false })).map((e) => {
    const variable = (e.target && envVariableOf(e.target, e.property)) ?? e.property;
    // The first check declared on the field is the most basic one (a number at all, before its range):
    // class-validator reports in reverse declaration order, and "lots" is not a number — not also out of range.
    return { variable, value: env[variable], problem: Object.values(e.constraints ?? {}).reverse()[0] ?? 'invalid' };
  });
  const store = storeProblems(config, env);
  invalid.push(...store.invalid, ...serverProblems(config, env));
  const order = envSettings(AppConfig).map((s) => s.variable);
  invalid.sort((a, b) => order.indexOf(a.variable) - order.indexOf(b.variable));
  const problems = [...invalid, ...store.missing];
  const { tiersFile } = config.assets;
  if (tiersFile && problems.length === 0) {
    try {
      loadTiersFile(resolve(tiersFile));
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
  return freeze(config);
}
