import { CandlekeepError } from '../common/errors';

export class DatabaseError extends CandlekeepError {
  readonly code = 'DATABASE';
  readonly kind = 'upstream' as const;
}

/** The connection to PostgreSQL went away mid-work (server restart, network, backend terminated). */
export class DatabaseConnectionLostError extends CandlekeepError {
  readonly code = 'DATABASE_CONNECTION_LOST';
  readonly kind = 'unavailable' as const;
}

/** SQLSTATEs of a connection the server closed or never gave (class 08, admin/crash shutdown 57P01-57P03). */
const LOST_STATES = new Set(['08000', '08003', '08006', '08001', '08004', '57P01', '57P02', '57P03']);
const LOST_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const LOST_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'connection ended',
    'Query runner already released',
    'terminating connection',
    'server closed the connection',
  ].join('|'),
  'i',
);

/**
 * A lost PostgreSQL connection, named as such, or the error as it is. TypeORM
 * reports a connection that died under a running query as "Query runner
 * already released"; the driver's errors carry a SQLSTATE or a socket code.
 */
export function asConnectionLost(e: unknown): unknown {
  if (e instanceof CandlekeepError) return e;
  const err = e as {
    code?: string | number;
    message?: string;
    driverError?: { code?: string | number; message?: string };
  } | null;
  const code = String(err?.driverError?.code ?? err?.code ?? '');
  const message = String(err?.driverError?.message ?? err?.message ?? '');
  if (LOST_STATES.has(code) || LOST_SOCKET.has(code) || LOST_MESSAGE.test(message)) {
    return new DatabaseConnectionLostError(
      `lost the connection to PostgreSQL (${code || message}): ` +
        'run the command again: it resumes from what was committed',
      {
        cause: e,
      },
    );
  }
  return e;
}

/** The state database cannot be reached at start: a configuration problem to fix (exit 2). */
export class DatabaseUnreachableError extends CandlekeepError {
  readonly code = 'DATABASE_UNREACHABLE';
  readonly kind = 'usage' as const;
}
