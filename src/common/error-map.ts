import { CandlekeepError, ErrorKind } from './errors';

/** The one place where error kinds become CLI exit codes. */
const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  not_found: 2,
  conflict: 1,
  upstream: 1,
  internal: 1,
};

export const EXIT_OK = 0;
export const EXIT_INCOMPLETE = 1;
export const EXIT_USAGE = 2;

export function exitCodeFor(error: unknown): number {
  return error instanceof CandlekeepError ? EXIT_CODES[error.kind] : EXIT_INCOMPLETE;
}

export function errorBody(error: unknown): { code: string; message: string } {
  if (error instanceof CandlekeepError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
