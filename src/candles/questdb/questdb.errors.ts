import { CandlekeepError } from '../../common/errors';
import { CandleStoreUnusableError } from '../candle-store.errors';

/**
 * QuestDB could not be reached or kept failing (connection refused, timeouts,
 * HTTP 5xx) after the configured retries. Nothing of the failed request counts
 * as written.
 */
export class QuestDbUnavailableError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_UNAVAILABLE';
  readonly kind = 'unavailable' as const;

  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** QuestDB refused a write (HTTP 4xx: malformed line, authentication, ...); retrying cannot help. */
export class QuestDbWriteRejectedError extends CandlekeepError {
  readonly code = 'QUESTDB_WRITE_REJECTED';
  readonly kind = 'upstream' as const;

  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A 4xx answer to an ILP/HTTP write: refused credentials said as such (401, 403), else `what` with the status and
 * QuestDB's reason. Retrying cannot help either.
 */
export function writeRefusal(status: number, reason: string, what: string, cause?: unknown): QuestDbWriteRejectedError {
  if (status === 401 || status === 403) {
    return new QuestDbWriteRejectedError(
      `QuestDB refused the credentials in QUESTDB_ILP (HTTP ${status}): ${reason}`,
      status,
      { cause },
    );
  }
  return new QuestDbWriteRejectedError(`${what} (HTTP ${status}): ${reason}`, status, { cause });
}

/** Table `assetprice` differs from what candlekeep writes (column types, designated timestamp, dedup keys). */
export class QuestDbSchemaMismatchError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_SCHEMA_MISMATCH';
  readonly kind = 'unavailable' as const;
}

/** A PG-wire query failed for a reason other than reachability. */
export class QuestDbQueryError extends CandlekeepError {
  readonly code = 'QUESTDB_QUERY';
  readonly kind = 'upstream' as const;
}

/** An acknowledged write did not become visible to reads in time (WAL apply lagging or suspended). */
export class QuestDbVisibilityError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_NOT_VISIBLE';
  readonly kind = 'unavailable' as const;
}

/**
 * QuestDB refused the credentials of QUESTDB_PG_URL or QUESTDB_ILP: a
 * configuration to fix (exit 2), found at start-up (questdb-credentials.ts)
 * or, for the PG wire, by any later query.
 */
export class QuestDbCredentialsError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_AUTH';
  readonly kind = 'usage' as const;
}
