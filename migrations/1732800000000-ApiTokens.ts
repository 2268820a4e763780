import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The HTTP API's bearer tokens (README "HTTP API: tokens and security"):
 * `candlekeep tokens create NAME --scopes read,ingest` prints a token once and
 * keeps only its SHA-256 here; `tokens revoke NAME` sets `revoked_at` (the row
 * stays, so a name is never reused for another token). Scopes are a non-empty
 * subset of read, ingest, admin; `last_used_at` is refreshed at most once a
 * minute per token.
 */
export class ApiTokens1732800000000 implements MigrationInterface {
  name = 'ApiTokens1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        name          text        NOT NULL,
        token_sha256  bytea       NOT NULL,
        scopes        text[]      NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        revoked_at    timestamptz,
        CONSTRAINT uq_api_tokens_name UNIQUE (name),
        CONSTRAINT uq_api_tokens_sha256 UNIQUE (token_sha256),
        CONSTRAINT ck_api_tokens_name CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
        CONSTRAINT ck_api_tokens_sha256 CHECK (octet_length(token_sha256) = 32),
        CONSTRAINT ck_api_tokens_scopes CHECK (
          cardinality(scopes) >= 1 AND scopes <@ ARRAY['read', 'ingest', 'admin']::text[])
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_tokens`);
  }
}
