import { CandlekeepError } from '../common/errors';

export class TokenNotFoundError extends CandlekeepError {
  readonly code = 'TOKEN_NOT_FOUND';
  readonly kind = 'not_found' as const;
}

/** A token of that name exists (or existed: a revoked token keeps its name). */
export class TokenExistsError extends CandlekeepError {
  readonly code = 'TOKEN_EXISTS';
  readonly kind = 'conflict' as const;
}

/** A request without `Authorization: Bearer <token>`. */
export class TokenMissingError extends CandlekeepError {
  readonly code = 'TOKEN_MISSING';
  readonly kind = 'unauthenticated' as const;
}

/** A bearer token that is no token of this deployment. */
export class TokenInvalidError extends CandlekeepError {
  readonly code = 'TOKEN_INVALID';
  readonly kind = 'unauthenticated' as const;
}

export class TokenRevokedError extends CandlekeepError {
  readonly code = 'TOKEN_REVOKED';
  readonly kind = 'unauthenticated' as const;
}

/** A valid token without the scope the route needs. */
export class ScopeMissingError extends CandlekeepError {
  readonly code = 'SCOPE_MISSING';
  readonly kind = 'forbidden' as const;
}
