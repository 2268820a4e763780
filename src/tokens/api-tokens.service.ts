import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../common/errors';
import { API_SCOPES, ApiScope, ApiToken } from '../entities/api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import { TokenInvalidError, TokenNotFoundError, TokenRevokedError } from './tokens.errors';

/** A token as listed: never the token, never its hash. */
export interface ApiTokenEntry {
  name: string;
  scopes: ApiScope[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Who a request is, once its token is verified. */
export interface ApiPrincipal {
  id: string;
  name: string;
  scopes: readonly ApiScope[];
}

const TOKEN_PREFIX = 'ck_';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** last_used_at is written at most this often per token (not on every request). */
const TOUCH_EVERY_MS = 60_000;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const entryOf = (t: ApiToken): ApiTokenEntry => ({
  name: t.name,
  scopes: t.scopes,
  created_at: t.createdAt.toISOString(),
  last_used_at: t.lastUsedAt?.toISOString() ?? null,
  revoked_at: t.revokedAt?.toISOString() ?? null,
});

/**
 * The HTTP API's bearer tokens. A token is `ck_` and 32 random bytes in base64url, shown once at creation; only
 * its SHA-256 is stored. Token times (created, last used, revoked) are the wall clock's: they record when something
 * happened, which CANDLEKEEP_NOW (the domain's now) does not pin.
 */
@Injectable()
export class ApiTokensService {
  /** Token id → when its last_used_at was last written (ms), in this process. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly tokens: ApiTokenRepository) {}

  async create(name: string, scopes: readonly ApiScope[]): Promise<{ token: string; entry: ApiTokenEntry }> {
    if (!NAME_RE.test(name))
      throw new UsageError(
        `token name ${JSON.stringify(name)}: 1 to 64 letters, digits, dots, dashes or underscores, ` +
          'starting with a letter or digit',
      );
    if (scopes.length === 0) throw new UsageError(`a token needs at least one scope of ${API_SCOPES.join(', ')}`);
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.tokens.insert(ApiToken.create(name, sha256(token), scopes));
    return { token, entry: entryOf(row) };
  }

  /** Every token, or only the active ones (`active: true`), or only the revoked ones (`active: false`). */
  async list(filter: { active?: boolean } = {}): Promise<ApiTokenEntry[]> {
    return (await this.tokens.list(filter)).map(entryOf);
  }

  async revoke(name: string): Promise<ApiTokenEntry> {
    const token = await this.tokens.findByName(name);
    if (!token) throw new TokenNotFoundError(`no token named ${JSON.stringify(name)} (see \`candlekeep tokens list\`)`);
    token.revoke(new Date());
    await this.tokens.markRevoked(token);
    return entryOf(token);
  }

  /**
   * The token `presented` is: its SHA-256 compared in constant time with every stored digest (no early exit, so
   * the time taken says nothing about which digest matched or how far). Unknown: TokenInvalidError; revoked:
   * TokenRevokedError.
   */
  async authenticate(presented: string): Promise<ApiPrincipal> {
    const digest = sha256(presented);
    let found: ApiToken | undefined;
    for (const t of await this.tokens.list()) {
      if (t.tokenSha256.length === digest.length && timingSafeEqual(t.tokenSha256, digest)) found = t;
    }
    if (!found) throw new TokenInvalidError('the bearer token is not valid');
    if (found.revokedAt) throw new TokenRevokedError(`the bearer token (${found.name}) was revoked`);
    await this.touch(found.id);
    return { id: found.id, name: found.name, scopes: found.scopes };
  }

  private async touch(id: string): Promise<void> {
    const now = Date.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    await this.tokens.markUsed(id, new Date(now));
  }
}
