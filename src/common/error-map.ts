import { CandlekeepError, ErrorKind } from './errors';

/** The one place where error kinds become CLI exit codes and HTTP statuses. */
const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  unauthenticated: 2,
  forbidden: 2,
  not_found: 2,
  conflict: 1,
  throttled: 1,
  upstream: 1,
  unavailable: 1,
  internal: 1,
};

const HTTP_STATUSES: Record<ErrorKind, number> = {
  usage: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  throttled: 429,
  upstream: 502,
  unavailable: 503,
  internal: 500,
};

export const EXIT_OK = 0;
export const EXIT_INCOMPLETE = 1;
export const EXIT_USAGE = 2;

export function exitCodeFor(error: unknown): number {
  return error instanceof CandlekeepError ? EXIT_CODES[error.kind] : EXIT_INCOMPLETE;
}

/** The HTTP status of an error: its kind's, 500 for anything that is not a CandlekeepError. */
export function httpStatusFor(error: unknown): number {
  return error instanceof CandlekeepError ? HTTP_STATUSES[error.kind] : HTTP_STATUSES.internal;
}

export function errorBody(error: unknown): { code: string; message: string } {
  if (error instanceof CandlekeepError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
