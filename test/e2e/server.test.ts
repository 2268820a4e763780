import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { exited, freePort, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

describe('server (npm start)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db.drop());

  it('applies pending migrations, serves GET /health with the database status and stops on SIGTERM', async () => {
    const port = await freePort();
    const server = startServer({ DATABASE_URL: db.url, PORT: String(port) });
    try {
      const res = await waitForHealth(port, server);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; database: Record<string, unknown> };
      expect(body).toMatchObject({
        status: 'ok',
        database: { reachable: true, embedded: false, pending_migrations: false },
      });
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });

  it('refuses to start on an invalid configuration value', async () => {
    const server = startServer({ DATABASE_URL: db.url, CANDLE_STORE: 'mongo' });
    const code = await exited(server.child);
    expect(code).toBe(2);
    expect(server.log()).toContain('CANDLE_STORE="mongo"');
  });

  it('on SIGTERM stops the embedded PostgreSQL it created on its first start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ck-home-'));
    const port = await freePort();
    const server = startServer({ CANDLEKEEP_HOME: home, PORT: String(port) });
    try {
      expect((await waitForHealth(port, server)).status).toBe(200);
      expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(true);
      server.child.kill('SIGTERM');
      await exited(server.child); // after its shutdown hooks ran (Nest re-raises the signal)
      expect(existsSync(join(home, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps its embedded PostgreSQL running; after a kill -9 the next command recovers it and stops it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ck-home-'));
    const port = await freePort();
    const server = startServer({ CANDLEKEEP_HOME: home, PORT: String(port) });
    try {
      const res = await waitForHealth(port, server);
      expect(((await res.json()) as { database: { embedded: boolean } }).database.embedded).toBe(true);
      const pidFile = join(home, 'pg', 'postmaster.pid');
      expect(existsSync(pidFile)).toBe(true);
      const pgPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);

      // A command run beside the server shares the cluster and leaves it running for the server.
      const beside = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(beside.code).toBe(0);
      expect(existsSync(pidFile)).toBe(true);

      server.child.kill('SIGKILL');
      await exited(server.child);
      expect(() => process.kill(pgPid, 0)).not.toThrow(); // the orphan postgres is still there

      const after = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(after.code).toBe(0);
      expect(after.json<{ database: { reachable: boolean } }>().database.reachable).toBe(true);
      expect(existsSync(pidFile)).toBe(false); // last user gone: stopped
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });
});
