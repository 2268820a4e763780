import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { runCliInProcess } from '../helpers/cli-in-process';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

interface TokenEntry {
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** `candlekeep tokens create | list | revoke`, in-process through the CLI's runner, against a real PostgreSQL. */
describe('candlekeep tokens', () => {
  let db: TestDatabase;
  let client: Client;
  const cli = (...args: string[]) => runCliInProcess(['tokens', ...args], { DATABASE_URL: db.url });

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('create prints the token once (ck_ + 32 random bytes) and stores only its SHA-256', async () => {
    const r = await cli('create', 'grafana', '--scopes', 'ingest,read', '--json');
    expect(r.code).toBe(0);
    const created = r.json<TokenEntry & { token: string }>();
    expect(created).toMatchObject({
      name: 'grafana',
      scopes: ['read', 'ingest'],
      last_used_at: null,
      revoked_at: null,
    });
    expect(created.token).toMatch(/^ck_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(3), 'base64url')).toHaveLength(32);

    const { rows } = await client.query<{ digest: string; row: string }>(
      `SELECT encode(token_sha256, 'hex') AS digest, row_to_json(t)::text AS row FROM api_tokens t`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.digest).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(rows[0]!.row).not.toContain(created.token.slice(3));

    const text = await cli('create', 'notebook');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^token notebook \(scopes read\); it is shown only this once:\nck_[A-Za-z0-9_-]{43}\n$/,
    );
  });

  it('list shows name, scopes and times, never a token', async () => {
    const r = await cli('list', '--json');
    expect(r.code).toBe(0);
    const { total, tokens } = r.json<{ total: number; tokens: TokenEntry[] }>();
    expect(total).toBe(2);
    expect(tokens.map((t) => [t.name, t.scopes])).toEqual([
      ['grafana', ['read', 'ingest']],
      ['notebook', ['read']],
    ]);
    expect(r.stdout).not.toMatch(/ck_/);
    const table = await cli('list');
    expect(table.stdout).toMatch(/^name +scopes +created +last used +revoked\n/);
    expect(table.stdout).toMatch(/\ngrafana +read,ingest +\d{4}-/);
  });

  it('revoke sets revoked_at and keeps the row; a second revoke is a conflict (exit 1)', async () => {
    const r = await cli('revoke', 'notebook', '--json');
    expect(r.code).toBe(0);
    expect(r.json<TokenEntry>()).toMatchObject({ name: 'notebook', revoked_at: expect.stringMatching(/^\d{4}-/) });
    const { rows } = await client.query<{ revoked: boolean }>(
      `SELECT revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE name = 'notebook'`,
    );
    expect(rows).toEqual([{ revoked: true }]);
    const again = await cli('revoke', 'notebook', '--json');
    expect(again.code).toBe(1);
    expect(again.json<{ error: { code: string } }>().error.code).toBe('STATE_TRANSITION');
  });

  it('refuses a taken name (exit 1), an unknown token (exit 2), bad scopes and bad names (exit 2)', async () => {
    const taken = await cli('create', 'notebook', '--json');
    expect(taken.code).toBe(1);
    expect(taken.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'TOKEN_EXISTS',
      message: 'a token named notebook exists (a revoked token keeps its name)',
    });
    const unknown = await cli('revoke', 'nobody', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.json<{ error: { code: string } }>().error.code).toBe('TOKEN_NOT_FOUND');
    const scopes = await cli('create', 'x', '--scopes', 'read,root', '--json');
    expect(scopes.code).toBe(2);
    expect(scopes.stderr + scopes.stdout).toContain('unknown: root');
    const name = await cli('create', 'has space', '--json');
    expect(name.code).toBe(2);
    expect((await cli('create', '--json')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM api_tokens`);
    expect(rows[0]!.n).toBe('2');
  });

  it('has the table refuse what the service never writes: unknown or no scopes, a digest not 32 bytes, a bad name', async () => {
    const insert = (name: string, digest: Buffer, scopes: string[]) =>
      client.query(`INSERT INTO api_tokens (name, token_sha256, scopes) VALUES ($1, $2, $3)`, [name, digest, scopes]);
    const digest = createHash('sha256').update('x').digest();
    await expect(insert('a', digest, ['root'])).rejects.toMatchObject({ constraint: 'ck_api_tokens_scopes' });
    await expect(insert('a', digest, [])).rejects.toMatchObject({ constraint: 'ck_api_tokens_scopes' });
    await expect(insert('a', digest.subarray(0, 16), ['read'])).rejects.toMatchObject({
      constraint: 'ck_api_tokens_sha256',
    });
    await expect(insert('no spaces', digest, ['read'])).rejects.toMatchObject({ constraint: 'ck_api_tokens_name' });
    await expect(insert('grafana', digest, ['read'])).rejects.toMatchObject({ constraint: 'uq_api_tokens_name' });
  });
});
