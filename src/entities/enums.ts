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

export const FILE_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SKIPPED_DUPLICATE'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export const FILLABILITIES = ['API_OHLC', 'API_TRADES', 'ARCHIVE_ONLY'] as const;
export type Fillability = (typeof FILLABILITIES)[number];

export const GAP_STATUSES = [
  'DETECTED',
  'FILLING',
  'FILLED',
  'PARTIAL',
  'VERIFIED_EMPTY',
  'UNFILLABLE',
  'FAILED',
  'IGNORED',
] as const;
export type GapStatus = (typeof GAP_STATUSES)[number];
/** Statuses that close a gap: it no longer counts as a hole and may be cleaned up. */
export const RESOLVED_GAP_STATUSES: readonly GapStatus[] = ['FILLED', 'VERIFIED_EMPTY', 'IGNORED'];

export const CANDLE_SOURCES = ['csv', 'api', 'trades'] as const;
export type CandleSource = (typeof CANDLE_SOURCES)[number];

/** SQL list literal of a const array, for CHECK constraints in migrations. */
export function sqlList(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ');
}
