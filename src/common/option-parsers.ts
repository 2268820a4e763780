import { UsageError } from './errors';
import {
  ASSET_CATEGORIES,
  AssetCategory,
  GAP_KINDS,
  GAP_STATUSES,
  GapKind,
  GapStatus,
  INTERVALS,
  IntervalMinutes,
  isInterval,
  isJobKind,
  JOB_KINDS,
  JobKind,
  OPEN_GAP_STATUSES,
  Tier,
  TIERS,
} from './enums';

/** Interval aliases accepted beside decimal minutes. */
export const INTERVAL_ALIASES: Readonly<Record<string, IntervalMinutes>> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '4h': 240,
  '12h': 720,
  '1d': 1440,
  '1w': 10080,
  '15d': 21600,
};

/**
 * Shared parsers of CLI flags and HTTP API parameters: each throws UsageError (exit 2, HTTP 400) naming the flag or
 * parameter and the value.
 */
export function parseIntervals(value: string, flag = '--intervals'): IntervalMinutes[] {
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${flag}: expected a comma-separated list of ${INTERVALS.join(', ')}`);
  return parts.map((p) => {
    // Decimal minutes or an alias only: Number() would also take "0x3c", "6e1" or " 60 ".
    const alias = INTERVAL_ALIASES[p.toLowerCase()];
    const n = alias ?? (/^\d{1,5}$/.test(p) ? Number(p) : NaN);
    if (!isInterval(n)) {
      throw new UsageError(
        `${flag}: ${JSON.stringify(p)} is not an interval; ` +
          `use minutes (${INTERVALS.join(', ')}) or ${Object.keys(INTERVAL_ALIASES).join(' ')}`,
      );
    }
    return n;
  });
}

export function parseInterval(value: string, flag = '--interval'): IntervalMinutes {
  const [one, ...rest] = parseIntervals(value, flag);
  if (rest.length > 0 || one === undefined)
    throw new UsageError(`${flag}: expected one interval, got ${JSON.stringify(value)}`);
  return one;
}

/** `--symbols BTC-USD,XBTUSD,…`: any accepted symbol form, resolved later against the catalog. */
export function parseSymbols(value: string, flag = '--symbols'): string[] {
  const list = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (!list.length) throw new UsageError(`${flag}: give at least one symbol (BTC-USD, XBTUSD, XXBTZUSD or XBT/USD)`);
  return list;
}

/** Help text of every `--symbols` flag. */
export const SYMBOLS_FLAG_HELP =
  'comma-separated symbols, any accepted form (BTC-USD, BTC-USD-SPOT, XBTUSD, XXBTZUSD, XBT/USD)';

export function parseTier(value: string, flag = '--tier'): Tier {
  const t = value.trim().toUpperCase();
  const normalized = /^\d$/.test(t) ? `TIER${t}` : t;
  if (!(TIERS as readonly string[]).includes(normalized))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not one of ${TIERS.join(', ')}`);
  return normalized as Tier;
}

/** Decimal digits only (no 1e12, 0x10 or 10.0), within [min, max]. */
export function parsePositiveInt(value: string, flag: string, { allowZero = false, max = 1_000_000_000 } = {}): number {
  const v = value.trim();
  const n = /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  const min = allowZero ? 0 : 1;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** Days as a flag takes them: at most a century. */
export const MAX_DAYS = 36_500;

export function parseRatio(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`${flag}: ${JSON.stringify(value)} must be a number between 0 and 1`);
  return n;
}

/**
 * An instant: ISO-8601 (a date alone is midnight UTC; a date-time without an
 * offset is UTC too, never the machine's local time) or epoch seconds.
 */
export function parseDate(value: string, flag: string): Date {
  const v = value.trim();
  const d = /^\d{9,11}$/.test(v)
    ? new Date(Number(v) * 1000)
    : new Date(
        /^\d{4}-\d{2}-\d{2}$/.test(v)
          ? `${v}T00:00:00Z`
          : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)
            ? `${v}Z`
            : v,
      );
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an ISO-8601 date`);
  return d;
}

export function parseCategory(value: string, flag = '--category'): AssetCategory {
  const c = value.trim().toLowerCase();
  if (!(ASSET_CATEGORIES as readonly string[]).includes(c))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not one of ${ASSET_CATEGORIES.join(', ')}`);
  return c as AssetCategory;
}

export function parseJobKind(value: string, flag = '--kind'): JobKind {
  const k = value.trim().toLowerCase();
  if (!isJobKind(k))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a job kind; use ${JOB_KINDS.join(', ')}`);
  return k;
}

export const LIST_FORMATS = ['table', 'json', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

export function parseListFormat(value: string, flag = '--format'): ListFormat {
  if (!(LIST_FORMATS as readonly string[]).includes(value))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not one of ${LIST_FORMATS.join(', ')}`);
  return value as ListFormat;
}

/** Gap statuses, comma-separated: names, "open" (OPEN_GAP_STATUSES) or "all", each status once. */
export function parseGapStatuses(value: string, flag = '--status'): GapStatus[] {
  const out: GapStatus[] = [];
  for (const part of value
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean)) {
    if (part === 'ALL') out.push(...GAP_STATUSES);
    else if (part === 'OPEN') out.push(...OPEN_GAP_STATUSES);
    else if ((GAP_STATUSES as readonly string[]).includes(part)) out.push(part as GapStatus);
    else throw new UsageError(`${flag}: ${JSON.stringify(part)} is not one of ${GAP_STATUSES.join(', ')}, open, all`);
  }
  return [...new Set(out)];
}

export function parseGapKind(value: string, flag = '--kind'): GapKind {
  if (!(GAP_KINDS as readonly string[]).includes(value))
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not one of ${GAP_KINDS.join(', ')}`);
  return value as GapKind;
}
