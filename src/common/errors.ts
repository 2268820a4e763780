/**
 * Typed errors. Every module throws a subclass of CandlekeepError with a stable
 * code; `error-map.ts` turns those codes into CLI exit codes and HTTP statuses
 * in one place.
 */
export type ErrorKind =
  | 'usage' // bad input or configuration: CLI exit 2, HTTP 400
  | 'unauthenticated' // no, an unknown or a revoked API token: CLI exit 2, HTTP 401
  | 'forbidden' // the API token lacks the scope the route needs: CLI exit 2, HTTP 403
  | 'not_found' // unknown symbol, job, ...: CLI exit 2, HTTP 404
  | 'conflict' // state does not allow the action: CLI exit 1, HTTP 409
  | 'throttled' // too many requests for the token's rate limit: CLI exit 1, HTTP 429
  | 'upstream' // a source (Kraken, QuestDB) failed: CLI exit 1, HTTP 502
  | 'unavailable' // the state database or the candle store is down: CLI exit 1, HTTP 503
  | 'internal'; // a bug or an invariant broken: CLI exit 1, HTTP 500

export abstract class CandlekeepError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ConfigError extends CandlekeepError {
  readonly code = 'CONFIG_INVALID';
  readonly kind = 'usage' as const;

  constructor(
    message: string,
    readonly problems: ReadonlyArray<{ variable: string; value: string | undefined; problem: string }> = [],
  ) {
    super(message);
  }
}

export class UsageError extends CandlekeepError {
  readonly code = 'USAGE';
  readonly kind = 'usage' as const;
}

export class InvariantError extends CandlekeepError {
  readonly code = 'INVARIANT';
  readonly kind = 'internal' as const;
}
