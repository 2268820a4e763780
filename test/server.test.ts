import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, MAIN, ROOT, runCli } from './helpers/cli';
import { createTestDatabase, TestDatabase } from './helpers/test-database';

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitForHealth(port: number, child: ChildProcess, log: () => string): Promise<Response> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}:\n${log()}`);
    try {
      return await fetch(`http://127.0.0.1:${port}/health`);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server did not answer:\n${log()}`);
}

function startServer(env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: cleanEnv({ SCHEDULES_ENABLED: 'false', ...env }) });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  return { child, log: () => log };
}

const exited = (child: ChildProcess) => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)));

describe('server (npm start)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db.drop());

  it('applies pending migrations, serves GET /health with the database status and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, log } = startServer({ DATABASE_URL: db.url, PORT: String(port) });
    try {
      const res = await waitForHealth(port, child, log);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; database: Record<string, unknown> };
      expect(body).toMatchObject({ status: 'ok', database: { reachable: true, embedded: false, pending_migrations: false } });
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('refuses to start on an invalid configuration value', async () => {
    const { child, log } = startServer({ DATABASE_URL: db.url, CANDLE_STORE: 'mongo' });
    const code = await exited(child);
    expect(code).toBe(2);
    expect(log()).toContain('CANDLE_STORE="mongo"');
  });

  it('keeps its embedded PostgreSQL running; after a kill -9 the next command recovers it and stops it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ck-home-'));
    const port = await freePort();
    const { child, log } = startServer({ CANDLEKEEP_HOME: home, PORT: String(port) });
    try {
      const res = await waitForHealth(port, child, log);
      expect(((await res.json()) as { database: { embedded: boolean } }).database.embedded).toBe(true);
      const pidFile = join(home, 'pg', 'postmaster.pid');
      expect(existsSync(pidFile)).toBe(true);
      const pgPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);

      // A command run beside the server shares the cluster and leaves it running for the server.
      const beside = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(beside.code).toBe(0);
      expect(existsSync(pidFile)).toBe(true);

      child.kill('SIGKILL');
      await exited(child);
      expect(() => process.kill(pgPid, 0)).not.toThrow(); // the orphan postgres is still there

      const after = await runCli(['migrate', '--json'], { CANDLEKEEP_HOME: home });
      expect(after.code).toBe(0);
      expect(after.json<{ database: { reachable: boolean } }>().database.reachable).toBe(true);
      expect(existsSync(pidFile)).toBe(false); // last user gone: stopped
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });
});
