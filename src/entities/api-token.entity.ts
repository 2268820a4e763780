import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { StateTransitionError } from './state-transition.error';

/** What a token may do: `read` the data, trigger `ingest` work, `admin` (everything, tokens included). */
export const API_SCOPES = ['read', 'ingest', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Of `needed`, the scopes `held` does not give (admin gives every scope). */
export function missingScopes(held: readonly ApiScope[], needed: readonly ApiScope[]): ApiScope[] {
  return held.includes('admin') ? [] : needed.filter((s) => !held.includes(s));
}

/** A bearer token of the HTTP API: its SHA-256 only, never the token itself. */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'token_sha256', type: 'bytea' })
  tokenSha256!: Buffer;

  @Column({ type: 'text', array: true })
  scopes!: ApiScope[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  static create(name: string, tokenSha256: Buffer, scopes: readonly ApiScope[]): ApiToken {
    const token = new ApiToken();
    token.name = name;
    token.tokenSha256 = tokenSha256;
    token.scopes = API_SCOPES.filter((s) => scopes.includes(s));
    token.lastUsedAt = null;
    token.revokedAt = null;
    return token;
  }

  revoke(at: Date): void {
    if (this.revokedAt !== null)
      throw new StateTransitionError(`token ${this.name} was revoked at ${this.revokedAt.toISOString()}`);
    this.revokedAt = at;
  }
}
