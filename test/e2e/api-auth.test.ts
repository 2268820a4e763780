import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../src/config/app-config';
import { ConfigError } from '../../src/common/errors';
import { ApiErrorAnswerBody, apiGet, apiRequest, createApiToken, revokeApiToken } from '../helpers/api';
import { ROOT } from '../helpers/cli';
import { exited, freePort, RunningServer, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

interface TokenList {
  total: number;
  tokens: Array<{ name: string; scopes: string[]; last_used_at: string | null; revoked_at: string | null }>;
}

/** The built server on a free port of 127.0.0.1, once GET /health answers. */
async function serve(env: Record<string, string>): Promise<{ port: number; server: RunningServer }> {
  const port = await freePort();
  const server = startServer({ PORT: String(port), ...env });
  await waitForHealth(port, server);
  return { port, server };
}

async function stop(server: RunningServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  server.child.kill('SIGTERM');
  await exited(server.child);
}

describe('HTTP API: bearer tokens, scopes, throttling, helmet, errors (built server over HTTP)', () => {
  let db: TestDatabase;
  let port: number;
  let server: RunningServer;
  let admin: string;
  let reader: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    [admin, reader] = [
      await createApiToken(db.url, 'ops', ['admin']),
      await createApiToken(db.url, 'charts', ['read']),
    ];
    ({ port, server } = await serve({ DATABASE_URL: db.url }));
  }, 120_000);
  afterAll(async () => {
    await stop(server);
    await db.drop();
  });

  it('keeps GET /health public where it was (not under /api/v1), with helmet headers', async () => {
    const health = await apiGet<{ status: string }>(port, '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(health.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(health.headers.get('x-powered-by')).toBeNull();
    expect((await apiGet(port, '/api/v1/health')).status).toBe(404);
  });

  it('answers 401 with WWW-Authenticate: Bearer without a token, or with a malformed Authorization', async () => {
    const none = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="candlekeep"');
    expect(none.body.error.code).toBe('TOKEN_MISSING');
    const basic = await fetch(`http://127.0.0.1:${port}/api/v1/tokens`, {
      headers: { authorization: `Basic ${Buffer.from('ops:secret').toString('base64')}` },
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Bearer realm="candlekeep"');
  });

  it('answers 401 invalid_token for a token that is none of ours (one character changed included)', async () => {
    for (const wrong of ['nope', `${admin.slice(0, -1)}${admin.endsWith('A') ? 'B' : 'A'}`]) {
      const r = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens', wrong);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="candlekeep", error="invalid_token"');
      expect(r.body).toEqual({ error: { code: 'TOKEN_INVALID', message: 'the bearer token is not valid' } });
    }
  });

  it('answers 403 insufficient_scope when the token lacks the scope (a read token on the admin route)', async () => {
    const r = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens', reader);
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toBe(
      'Bearer realm="candlekeep", error="insufficient_scope", scope="admin"',
    );
    expect(r.body.error).toEqual({ code: 'SCOPE_MISSING', message: expect.stringContaining('charts') });
  });

  it('lets an admin token list the tokens (never a token or its hash) and writes last_used_at once, not per request', async () => {
    const r = await apiGet<TokenList>(port, '/api/v1/tokens', admin);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.body.tokens.map((t) => [t.name, t.scopes])).toEqual([
      ['ops', ['admin']],
      ['charts', ['read']],
    ]);
    const text = JSON.stringify(r.body);
    expect(text).not.toContain(admin);
    expect(text).not.toContain(createHash('sha256').update(admin).digest('hex'));
    const firstUse = r.body.tokens.find((t) => t.name === 'ops')!.last_used_at;
    expect(firstUse).not.toBeNull();
    const again = await apiGet<TokenList>(port, '/api/v1/tokens', admin);
    expect(again.body.tokens.find((t) => t.name === 'ops')!.last_used_at).toBe(firstUse);
  });

  it('answers 401 for a revoked token from the moment it is revoked', async () => {
    const token = await createApiToken(db.url, 'short-lived', ['admin']);
    expect((await apiGet(port, '/api/v1/tokens', token)).status).toBe(200);
    await revokeApiToken(db.url, 'short-lived');
    const r = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens', token);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="candlekeep", error="invalid_token"');
    expect(r.body.error.code).toBe('TOKEN_REVOKED');
    const revoked = await apiGet<TokenList>(port, '/api/v1/tokens?active=false', admin);
    expect(revoked.body.tokens.map((t) => t.name)).toEqual(['short-lived']);
  });

  it('validates queries (ValidationPipe, whitelist): a bad value or an unknown parameter is 400 BAD_REQUEST naming it', async () => {
    const active = await apiGet<TokenList>(port, '/api/v1/tokens?active=true', admin);
    expect(active.status).toBe(200);
    expect(active.body.tokens.map((t) => t.name)).toEqual(['ops', 'charts']); // short-lived (revoked above) left out
    const bad = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens?active=maybe', admin);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'active must be true or false' } });
    const unknown = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens?colour=red', admin);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'property colour should not exist' } });
  });

  it('answers an unknown route 404 with the {error} body, whatever the method', async () => {
    for (const method of ['GET', 'POST']) {
      const r = await apiRequest<ApiErrorAnswerBody>(port, method, '/api/v1/no-such-route', {
        token: admin,
        body: method === 'POST' ? {} : undefined,
      });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ error: { code: 'NOT_FOUND', message: `Cannot ${method} /api/v1/no-such-route` } });
    }
  });

  it('serves the OpenAPI document at /api/docs-json (the checked-in openapi.json) and its UI at /api/docs', async () => {
    const json = await apiGet(port, '/api/docs-json');
    expect(json.status).toBe(200);
    expect(json.body).toEqual(JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8')));
    const ui = await apiGet<string>(port, '/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    expect(ui.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
  });

  it('keeps only the SHA-256 of a token in api_tokens', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ row: string; digest: string }>(
        `SELECT row_to_json(t)::text AS row, encode(token_sha256, 'hex') AS digest FROM api_tokens t WHERE name = 'ops'`,
      );
      expect(rows[0]!.digest).toBe(createHash('sha256').update(admin).digest('hex'));
      expect(rows[0]!.row).not.toContain(admin.slice(3));
    } finally {
      await client.end();
    }
  });
});

describe('HTTP API throttling (API_RATE_LIMIT per token)', () => {
  let db: TestDatabase;
  let server: RunningServer | undefined;
  afterAll(async () => {
    await stop(server);
    await db.drop();
  });

  it('answers 429 with Retry-After beyond the limit, counting each token apart; /health is not limited', async () => {
    db = await createTestDatabase();
    const [first, second] = [
      await createApiToken(db.url, 'first', ['admin']),
      await createApiToken(db.url, 'second', ['admin']),
    ];
    const started = await serve({ DATABASE_URL: db.url, API_RATE_LIMIT: '3', API_RATE_WINDOW_SECONDS: '120' });
    server = started.server;
    const { port } = started;
    for (let i = 0; i < 3; i++) {
      const ok = await apiGet(port, '/api/v1/tokens', first);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    const limited = await apiGet<ApiErrorAnswerBody>(port, '/api/v1/tokens', first);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(limited.body.error).toEqual({ code: 'THROTTLED', message: expect.stringContaining('3 requests per 120 s') });
    expect((await apiGet(port, '/api/v1/tokens', second)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await apiGet(port, '/health')).status).toBe(200);
  });
});

describe('API_AUTH=off', () => {
  it('is refused (exit 2, naming API_AUTH and HOST) unless HOST is a loopback address', async () => {
    const server = startServer({
      API_AUTH: 'off',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(await exited(server.child)).toBe(2);
    expect(server.log()).toMatch(/API_AUTH="off": off is refused with HOST=0\.0\.0\.0/);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'candlekeep.example.com'])
      expect(() => loadConfig({ API_AUTH: 'off', HOST: host })).toThrow(ConfigError);
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', 'LOCALHOST'])
      expect(loadConfig({ API_AUTH: 'off', HOST: host }).server.auth).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }).server.auth).toBe(true);
  });

  it('on a loopback HOST serves every route without a token', async () => {
    const db = await createTestDatabase();
    let server: RunningServer | undefined;
    try {
      const started = await serve({ DATABASE_URL: db.url, API_AUTH: 'off' });
      server = started.server;
      expect(server.log()).toContain('API_AUTH=off: every route answers without a token (HOST 127.0.0.1)');
      const r = await apiGet<TokenList>(started.port, '/api/v1/tokens');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ total: 0, tokens: [] });
    } finally {
      await stop(server);
      await db.drop();
    }
  });
});
