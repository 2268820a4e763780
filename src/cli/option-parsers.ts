import { UsageError } from '../common/errors';
import { INTERVALS, IntervalMinutes, isInterval, Tier, TIERS } from '../entities/enums';

/** Shared parsers for CLI flags: each throws UsageError (exit 2) naming the flag and value. */
export function parseIntervals(value: string, flag = '--intervals'): IntervalMinutes[] {
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${flag}: expected a comma-separated list of ${INTERVALS.join(', ')}`);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || !isInterval(n)) {
      throw new UsageError(`${flag}: ${JSON.stringify(p)} is not an interval; use minutes: ${INTERVALS.join(', ')}`);
    }
    return n;
  });
}

export function parseInterval(value: string, flag = '--interval'): IntervalMinutes {
  const [one, ...rest] = parseIntervals(value, flag);
  if (rest.length > 0 || one === undefined) throw new UsageError(`${flag}: expected one interval, got ${JSON.stringify(value)}`);
  return one;
}

export function parseTier(value: string, flag = '--tier'): Tier {
  const t = value.trim().toUpperCase();
  const normalized = /^\d$/.test(t) ? `TIER${t}` : t;
  if (!(TIERS as readonly string[]).includes(normalized)) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not one of ${TIERS.join(', ')}`);
  return normalized as Tier;
}

export function parsePositiveInt(value: string, flag: string, { allowZero = false } = {}): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} must be an integer ${allowZero ? '>= 0' : '>= 1'}`);
  }
  return n;
}

export function parseRatio(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag}: ${JSON.stringify(value)} must be a number between 0 and 1`);
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
    : new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v) ? `${v}Z` : v);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not an ISO-8601 date`);
  return d;
}
