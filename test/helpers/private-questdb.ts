import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, Server } from 'node:net';
import { Client, QueryResultRow } from 'pg';
import { ROOT } from './cli';

const SCRIPT = join(ROOT, 'scripts', 'questdb.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PrivateQuestDbOptions {
  /** Credentials of the PG wire (`pg.user`/`pg.password`; QuestDB's default is admin/quest). */
  pg?: { user: string; password: string };
  /** HTTP basic authentication (`http.user`/`http.password`), which QuestDB OSS also asks of ILP/HTTP writes. */
  http?: { user: string; password: string };
  /** More server.conf lines, e.g. `dev.mode.enabled`: `ALTER TABLE … SUSPEND WAL` needs it. */
  serverConf?: Record<string, string>;
}

/**
 * A QuestDB of one test file's own (scripts/questdb.js with QUESTDB_HOME in a
 * temporary directory, on free ports), for tests that stop, kill or
 * reconfigure it: the QuestDB of QUESTDB_ILP/QUESTDB_PG_URL is shared by every
 * test file and must not be disturbed. Start it once per file (several
 * seconds each time).
 */
export class PrivateQuestDb {
  private constructor(
    private readonly home: string,
    private readonly scriptEnv: NodeJS.ProcessEnv,
    readonly ports: { http: number; pg: number },
    private readonly options: PrivateQuestDbOptions,
  ) {}

  static async start(options: PrivateQuestDbOptions = {}): Promise<PrivateQuestDb> {
    const home = mkdtempSync(join(tmpdir(), 'ck-questdb-'));
    const [http = 0, pg = 0, ilpTcp = 0, health = 0] = await freePorts(4); // always 4: no default is ever taken
    const conf: Record<string, string> = { ...options.serverConf };
    if (options.pg) Object.assign(conf, { 'pg.user': options.pg.user, 'pg.password': options.pg.password });
    if (options.http) Object.assign(conf, { 'http.user': options.http.user, 'http.password': options.http.password });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // Not the shared server's settings (CI exports its ports): every port and the home are this one's.
      QUESTDB_HOME: home,
      QUESTDB_HTTP_PORT: String(http),
      QUESTDB_PG_PORT: String(pg),
      QUESTDB_ILP_TCP_PORT: String(ilpTcp),
      QUESTDB_HEALTH_PORT: String(health),
      QUESTDB_SERVER_CONF: Object.entries(conf)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n'),
      QUESTDB_JAVA_OPTS: process.env.QUESTDB_JAVA_OPTS ?? '-Xms128m -Xmx768m',
      ...(process.env.QUESTDB_VERSION ? { QUESTDB_VERSION: process.env.QUESTDB_VERSION } : {}),
    };
    const server = new PrivateQuestDb(home, env, { http, pg }, options);
    try {
      await server.script('start');
    } catch (e) {
      rmSync(home, { recursive: true, force: true });
      throw e;
    }
    return server;
  }

  /** The ILP/HTTP config string (with the HTTP credentials when there are any). */
  get ilp(): string {
    const auth = this.options.http ? `username=${this.options.http.user};password=${this.options.http.password};` : '';
    return `http::addr=127.0.0.1:${this.ports.http};${auth}`;
  }

  get pgUrl(): string {
    const { user, password } = this.options.pg ?? { user: 'admin', password: 'quest' };
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.ports.pg}/qdb`;
  }

  /** The environment of a candlekeep process storing candles in `table` here. */
  env(table: string): Record<string, string> {
    return { CANDLE_STORE: 'questdb', QUESTDB_ILP: this.ilp, QUESTDB_PG_URL: this.pgUrl, QUESTDB_TABLE: table };
  }

  /** The server's pid, from its pid file (undefined when it is not running). */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.home, 'questdb.pid'), 'utf8').trim());
      // A recycled pid would be another program's: only this home's java counts.
      return Number.isInteger(pid) &&
        pid > 0 &&
        alive(pid) &&
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.home)
        ? pid
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Signals exactly this server's process (SIGKILL: a crash) and resolves once it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) throw new Error('the private QuestDB is not running');
    process.kill(pid, signal);
    for (let waited = 0; alive(pid); waited += 20) {
      if (waited > 30_000) throw new Error(`QuestDB pid ${pid} still alive 30 s after ${signal}`);
      await sleep(20);
    }
  }

  /** Starts it again on the same data and ports; the script returns once HTTP and the PG wire answer. */
  async restart(): Promise<void> {
    await this.script('start');
  }

  /** Stops it (SIGTERM, exactly its pid) and deletes its data. */
  async stop(): Promise<void> {
    try {
      await this.script('stop');
    } finally {
      rmSync(this.home, { recursive: true, force: true });
    }
  }

  /** One SQL statement over the PG wire, on a connection of its own. */
  async query<T extends QueryResultRow = Record<string, unknown>>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: this.pgUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /** The end of the server's log (for failure messages). */
  logTail(lines = 30): string {
    try {
      return readFileSync(join(this.home, 'questdb.log'), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async script(verb: 'start' | 'stop'): Promise<void> {
    try {
      await promisify(execFile)(process.execPath, [SCRIPT, verb], { cwd: ROOT, env: this.scriptEnv, timeout: 120_000 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(
        `scripts/questdb.js ${verb} (private QuestDB in ${this.home}) failed: ${err.stderr ?? err.message}`,
      );
    }
  }
}

/** `n` distinct ports nothing listens on: all bound at once (so none is handed out twice), then released. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const address = server.address();
      ports.push(typeof address === 'object' && address ? address.port : 0);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  }
}

/** Whether the process exists and has not exited (a zombie waiting for its parent to reap it has). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces, the state follows its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
