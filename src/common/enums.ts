/** Candle intervals in minutes, as Kraken serves them. */
export const INTERVALS = [1, 5, 15, 30, 60, 240, 720, 1440, 10080, 21600] as const;
export type IntervalMinutes = (typeof INTERVALS)[number];
export function isInterval(n: number): n is IntervalMinutes {
  return (INTERVALS as readonly number[]).includes(n);
}

export const ASSET_CATEGORIES = ['crypto', 'forex', 'stock', 'commodity'] as const;
export type AssetCategory = (typeof ASSET_CATEGORIES)[number];

export const TIERS = ['TIER1', 'TIER2', 'TIER3', 'TIER4'] as const;
export type Tier = (typeof TIERS)[number];

export const JOB_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** What a job row records: an archive ingest, or a run of the gap fillers or of a maintenance task. */
export const JOB_KINDS = [
  'ingest',
  'backfill',
  'update-market-data',
  'cleanup',
  'validate',
  'report',
  'recover-stale-jobs',
] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export function isJobKind(s: string): s is JobKind {
  return (JOB_KINDS as readonly string[]).includes(s);
}

/** Who started a run: a command, the server's scheduler, or the HTTP API. */
export const JOB_TRIGGERS = ['cli', 'schedule', 'api'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

export const FILE_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SKIPPED_DUPLICATE'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export const FILLABILITIES = ['API_OHLC', 'API_TRADES', 'ARCHIVE_ONLY'] as const;
export type Fillability = (typeof FILLABILITIES)[number];

export const GAP_STATUSES = [
  'DETECTED',
  'SUSPECT',
  'FILLING',
  'FILLED',
  'PARTIAL',
  'VERIFIED_EMPTY',
  'UNFILLABLE',
  'FAILED',
  'IGNORED',
  'MERGED',
] as const;
export type GapStatus = (typeof GAP_STATUSES)[number];
/**
 * Closed: the record no longer stands for a span — filled, proven empty, or
 * merged into an adjacent record (named in its reason). Cleanup may delete them.
 */
export const CLOSED_GAP_STATUSES: readonly GapStatus[] = ['FILLED', 'VERIFIED_EMPTY', 'MERGED'];
/** Open: a hole to fill or a suspect span to verify; counted against completeness. */
export const OPEN_GAP_STATUSES: readonly GapStatus[] = [
  'DETECTED',
  'SUSPECT',
  'FILLING',
  'PARTIAL',
  'FAILED',
  'UNFILLABLE',
];
/**
 * The records of the ledger: open ones and IGNORED ones (a span a user chose not
 * to fill still stands for its span, counted apart). For kind `gap` their union
 * is exactly the uncovered part of the series' expected window.
 */
export const LEDGER_GAP_STATUSES: readonly GapStatus[] = [...OPEN_GAP_STATUSES, 'IGNORED'];

/**
 * `gap`: a span of the expected window no coverage covers. `suspect`: a span
 * inside coverage with no candle whose "no trades" something contradicts
 * (another interval's trades, an implausible run in a liquid series): to verify
 * at the source.
 */
export const GAP_KINDS = ['gap', 'suspect'] as const;
export type GapKind = (typeof GAP_KINDS)[number];

export const CANDLE_SOURCES = ['csv', 'api', 'trades'] as const;
export type CandleSource = (typeof CANDLE_SOURCES)[number];
