import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ApiScope, missingScopes } from '../entities/api-token.entity';
import { CandlekeepError } from '../common/errors';
import { ApiPrincipal, ApiTokensService } from '../tokens/api-tokens.service';
import { ScopeMissingError, TokenMissingError } from '../tokens/tokens.errors';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPES } from './scopes.decorator';

/** A request once AuthGuard let it through: the token's principal, or none (a public route, API_AUTH=off). */
export interface ApiRequest extends Request {
  principal?: ApiPrincipal;
}

const REALM = 'candlekeep';
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The scopes a route declares (@Scopes), else `read` for GET and HEAD and `admin` for anything else. */
export function requiredScopes(declared: readonly ApiScope[] | undefined, method: string): readonly ApiScope[] {
  return declared ?? (READ_METHODS.has(method.toUpperCase()) ? ['read'] : ['admin']);
}

/**
 * Global guard of the HTTP API: `Authorization: Bearer <token>` checked against the stored SHA-256 digests (constant
 * time), then the route's scopes. No token or a bad one: 401 with `WWW-Authenticate: Bearer` (RFC 6750: `error=
 * "invalid_token"` when a token was given); a missing scope: 403 (`error="insufficient_scope"`). `@Public()`
 * routes and API_AUTH=off (loopback HOST only) pass without a token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly tokens: ApiTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (!this.config.server.auth || this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<ApiRequest>();
    const res = http.getResponse<Response>();
    const presented = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}"`);
      throw new TokenMissingError('this route needs an API token: Authorization: Bearer <token>');
    }
    try {
      req.principal = await this.tokens.authenticate(presented);
    } catch (e) {
      if (e instanceof CandlekeepError && e.kind === 'unauthenticated')
        res.setHeader('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      throw e;
    }
    const needed = requiredScopes(this.reflector.getAllAndOverride<ApiScope[]>(REQUIRED_SCOPES, targets), req.method);
    const scopes = req.principal.scopes;
    const missing = missingScopes(scopes, needed);
    if (missing.length > 0) {
      res.setHeader(
        'WWW-Authenticate',
        `Bearer realm="${REALM}", error="insufficient_scope", scope="${needed.join(' ')}"`,
      );
      throw new ScopeMissingError(
        `token ${req.principal.name} (scopes ${scopes.join(', ')}) lacks the scope ${missing.join(', ')} this route needs`,
      );
    }
    return true;
  }
}
