import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, runCli, runOnTty } from '../helpers/cli';
import { exited, freePort, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase, urlWithDatabase } from '../helpers/test-database';

const VERSION = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const ESC = '\u001b[';

/** Start-up, process by process: fast and clear before anything else runs. */
describe('start-up: answers before the application boots, one line for a database that does not answer', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('--version and --help are answered even when the configuration is invalid (nothing else is loaded)', async () => {
    const broken = { KRAKEN_RPS: 'lots', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const version = await runCli(['--version'], broken);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await runCli(['--help'], broken);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: candlekeep/);
    expect(help.stdout).toMatch(/ingest .*\n[\s\S]*backfill/);
    const verb = await runCli(['gaps', '--help'], broken);
    expect(verb.code).toBe(0);
    expect(verb.stdout).toContain('--json');
  });

  it(
    "a verb loads only what it uses: `gaps` loads no other feature's code, no archive or progress-bar package, " +
      'no inquirer',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ck-loaded-'));
      try {
        // Preloaded into the CLI's process: writes the CommonJS modules it loaded when it exits.
        const hook = join(dir, 'record-loaded.js');
        const out = join(dir, 'loaded.json');
        writeFileSync(
          hook,
          `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, ` +
            `JSON.stringify(Object.keys(require.cache))));\n`,
        );
        const r = await runCli(['gaps', '--json'], { DATABASE_URL: db.url, NODE_OPTIONS: `--require ${hook}` });
        expect(r.json()).toEqual({ total: 0, gaps: [] });
        const loaded = (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((id) => id.slice(ROOT.length + 1));
        expect(loaded).toContain('dist/gaps/gaps.command.js');
        const unused = new RegExp(
          [
            /^dist\/(ingestion|reports|tasks)\//.source,
            /^dist\/candles\/candles-export/.source,
            /^node_modules\/(yauzl|cli-progress|lodash|@questdb)\//.source,
            /^node_modules\/inquirer\/lib\/prompts\//.source,
          ].join('|'),
        );
        expect(loaded.filter((id) => unused.test(id))).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("the stand-in for inquirer (nest-commander's prompts) loads the real package when it is first used", async () => {
    const script = [
      `require(${JSON.stringify(join(ROOT, 'dist', 'cli', 'defer-inquirer.js'))}).deferInquirer();`,
      "require('nest-commander');",
      "const inquirer = require('node:module').createRequire(require.resolve('nest-commander'))('inquirer');",
      "const loaded = () => Object.keys(require.cache).some((id) => id.includes('/inquirer/lib/prompts/'));",
      'const before = loaded();',
      'process.stdout.write(JSON.stringify({ before, prompt: typeof inquirer.prompt, separator: ' +
        'new inquirer.Separator().type, after: loaded() }));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({ before: false, prompt: 'function', separator: 'separator', after: true });
  });

  it(
    'a DATABASE_URL on a closed port: one line naming the URL (password hidden) and the cause, exit 2, ' +
      'for every verb',
    async () => {
      const port = await freePort();
      const url = `postgres://candlekeep:s3cret@127.0.0.1:${port}/candlekeep`;
      for (const verb of [['migrate'], ['gaps'], ['report', '--json']]) {
        const r = await runCli(verb, { DATABASE_URL: url });
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toEqual([
          `candlekeep: cannot connect to postgres://candlekeep:***@127.0.0.1:${port}/candlekeep: ` +
            `connection refused (is PostgreSQL running there?)`,
        ]);
        expect(r.stderr).not.toContain('s3cret');
        expect(r.stderr).not.toMatch(/Retrying|\n\s+at /);
      }
      const json = await runCli(['gaps', '--json'], { DATABASE_URL: url });
      expect(json.json<{ error: { code: string } }>().error.code).toBe('DATABASE_UNREACHABLE');
    },
  );

  it(
    'a database that does not exist is named as such; ' + 'DATABASE_CONNECT_RETRIES retries with backoff, saying so',
    async () => {
      const missing = urlWithDatabase(db.url, 'candlekeep_no_such_db');
      const r = await runCli(['migrate'], { DATABASE_URL: missing });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot connect to .*candlekeep_no_such_db: unknown database/);
      const retried = await runCli(['migrate'], { DATABASE_URL: missing, DATABASE_CONNECT_RETRIES: '1' });
      expect(retried.code).toBe(2);
      expect(retried.stderr).toMatch(/unknown database.*; retrying in 1000 ms \(1\/1\)\n.*unknown database/);
    },
  );

  it(
    'the server: one line and exit 2 when the database does not answer; binds HOST (127.0.0.1) and says so; ' +
      '"stopped" on SIGTERM',
    async () => {
      const closed = await freePort();
      const dead = startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/x` });
      expect(await exited(dead.child)).toBe(2);
      expect(dead.log()).toMatch(/cannot connect to postgres:\/\/postgres@127\.0\.0\.1:\d+\/x: connection refused/);

      const port = await freePort();
      const server = startServer({ DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'info' });
      expect((await waitForHealth(port, server)).status).toBeLessThan(600);
      expect(server.log()).toContain(`candlekeep listening on http://127.0.0.1:${port}`);
      server.child.kill('SIGTERM');
      await exited(server.child);
      // Closed cleanly, then re-raised the signal (Nest's shutdown hooks do):
      // a supervisor sees "terminated by SIGTERM".
      expect(server.child.signalCode).toBe('SIGTERM');
      expect(server.log().trim().split('\n').pop()).toMatch(/candlekeep stopped \(SIGTERM\)/);
    },
  );

  it('logs: ISO-8601 UTC times; colour only on a terminal and never with NO_COLOR', async () => {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'debug' };
    const piped = await runCli(['gaps'], env);
    expect(piped.stderr).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(piped.stderr).not.toMatch(/\d\d\/\d\d\/\d{4}, /);
    expect(piped.stderr).not.toContain(ESC);
    const tty = await runOnTty(['gaps'], env);
    expect(tty).toContain(ESC);
    const noColor = await runOnTty(['gaps'], { ...env, NO_COLOR: '1' });
    expect(noColor).toMatch(/Z +DEBUG \[/);
    expect(noColor).not.toContain(ESC);
  });
});
