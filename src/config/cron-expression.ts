import { validateCronExpression } from 'cron';

/** The fields of a cron expression (5 fields, or 6 with seconds first), with their ranges for the message. */
const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/**
 * Why a cron expression is not one the scheduler can run, naming the field
 * ("minute 99 out of range 0-59"), or null. Checked with the rest of the
 * configuration, so that a bad schedule stops start-up with the variable
 * named instead of failing when the task is listed or scheduled.
 *
 * Validity is decided by `cron`, the library the scheduler runs on; the field
 * is found by asking it about each field alone (the others `*`), since its
 * own message ("Field value (99) is out of range") does not say which.
 */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6)
    return `expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got ${parts.length}`;
  const whole = validateCronExpression(expression);
  if (whole.valid) return null;
  const fields = parts.length === 6 ? FIELDS : FIELDS.slice(1);
  for (let i = 0; i < parts.length; i++) {
    const alone = validateCronExpression(parts.map((p, j) => (j === i ? p : '*')).join(' '));
    if (alone.valid) continue;
    const field = fields[i]!;
    const range = /Field value \((.*)\) is out of range/.exec(alone.error?.message ?? '');
    return range
      ? `${field.name} ${range[1]} out of range ${field.min}-${field.max}`
      : `${field.name} ${JSON.stringify(parts[i])}: ${alone.error?.message ?? 'invalid'}`;
  }
  return whole.error?.message ?? 'not a cron expression';
}
