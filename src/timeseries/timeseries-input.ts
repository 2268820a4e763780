import { BucketSpec, bucketSpecKey } from '../common/aggregation-window';
import { UsageError } from '../common/errors';
import { FILL_MODES, FillMode } from './bucket-completeness';
import { InvalidCursorError } from './timeseries.errors';

/**
 * An instant as the API and the CLI take it: epoch seconds, or ISO-8601 (a date alone is midnight UTC; a
 * date-time without an offset is UTC, never the machine's local time). Returns epoch seconds (rounded down).
 */
export function parseInstant(value: string, name: string): number {
  const v = value.trim();
  if (/^\d{1,11}$/.test(v)) return Number(v);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v)
    ? `${v}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)
      ? `${v}Z`
      : v;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${name}: ${JSON.stringify(value)} is not ISO-8601 or epoch seconds`);
  return Math.floor(ms / 1000);
}

/** The opaque paging cursor: the open time of the last bucket returned, for these buckets. */
export function encodeCursor(spec: BucketSpec, lastTs: number): string {
  return Buffer.from(`${bucketSpecKey(spec)}:${lastTs}`).toString('base64url');
}

/** The open time of the last bucket the previous page returned; refuses a cursor of other buckets. */
export function decodeCursor(spec: BucketSpec, cursor: string): number {
  const [key, ts, ...rest] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (rest.length === 0 && key === bucketSpecKey(spec) && ts !== undefined && /^\d{1,11}$/.test(ts)) return Number(ts);
  throw new InvalidCursorError(`cursor ${JSON.stringify(cursor)} was not handed out for these buckets`);
}

/** One of `values` (the flag or parameter named in the refusal). */
export function parseChoice<T extends string>(value: string, values: readonly T[], name: string): T {
  const v = value.trim().toLowerCase();
  if ((values as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`${name}: ${JSON.stringify(value)} is not one of ${values.join(', ')}`);
}

export function parseFill(value: string, name = '--fill'): FillMode {
  return parseChoice(value, FILL_MODES, name);
}
