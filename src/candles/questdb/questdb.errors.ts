import { CandlekeepError } from '../../common/errors';
import { CandleStoreUnusableError } from '../candle-store.errors';

/**
 * QuestDB could not be reached or kept failing (connection refused, timeouts,
 * HTTP 5xx) after the configured retries. Nothing of the failed request counts
 * as written.
 */
export class QuestDbUnavailableError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_UNAVAILABLE';
  readonly kind = 'upstream' as const;

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

/** Table `assetprice` differs from what candlekeep writes (column types, designated timestamp, dedup keys). */
export class QuestDbSchemaMismatchError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_SCHEMA_MISMATCH';
  readonly kind = 'upstream' as const;
}

/** A PG-wire query failed for a reason other than reachability. */
export class QuestDbQueryError extends CandlekeepError {
  readonly code = 'QUESTDB_QUERY';
  readonly kind = 'upstream' as const;
}

/** An acknowledged write did not become visible to reads in time (WAL apply lagging or suspended). */
export class QuestDbVisibilityError extends CandleStoreUnusableError {
  readonly code = 'QUESTDB_NOT_VISIBLE';
  readonly kind = 'upstream' as const;
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
