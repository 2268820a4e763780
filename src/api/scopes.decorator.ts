import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ApiScope } from '../entities/api-token.entity';

export const REQUIRED_SCOPES = 'requiredScopes';

/**
 * The scopes a route's token needs (all of them; admin implies every scope), e.g. `@Scopes('ingest')` on a POST
 * trigger. Without it a GET or HEAD needs `read` and any other method `admin` (AuthGuard). The OpenAPI document
 * states them as `x-required-scopes`.
 */
export const Scopes = (...scopes: [ApiScope, ...ApiScope[]]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiExtension('x-required-scopes', scopes));
