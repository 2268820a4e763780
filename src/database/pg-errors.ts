/**
 * PostgreSQL errors by SQLSTATE. TypeORM wraps the driver's error in a
 * QueryFailedError (the SQLSTATE on `driverError`); pg's own errors (a COPY's)
 * carry it themselves.
 */
interface PgError {
  code?: unknown;
  constraint?: unknown;
}

function driverError(e: unknown): PgError | null {
  const err = e as (PgError & { driverError?: PgError }) | null;
  return err?.driverError ?? err;
}

/** A unique constraint or index (`constraint`) refused a row (23505). */
export function isUniqueViolation(e: unknown, constraint: string): boolean {
  const pg = driverError(e);
  return pg?.code === '23505' && pg.constraint === constraint;
}

/** A lock was not had within lock_timeout (55P03, "lock not available"). */
export function isLockNotAvailable(e: unknown): boolean {
  return driverError(e)?.code === '55P03';
}
