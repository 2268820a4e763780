#!/usr/bin/env node
// @ts-check
/**
 * A local QuestDB for development and CI, from Maven Central (no Docker):
 *
 *   node scripts/questdb.js start   (npm run questdb:start)
 *   node scripts/questdb.js stop    (npm run questdb:stop)
 *   node scripts/questdb.js status
 *
 * `start` fetches the pinned `org.questdb:questdb` jar with Maven into
 * .candlekeep/questdb/, writes a server.conf that binds every listener to
 * 127.0.0.1 (telemetry off), starts the server with its data under
 * .candlekeep/questdb/root, waits until HTTP `GET /` and the PG wire port
 * answer, and records the pid. It prints the variables to export on stdout
 * (`eval "$(npm run -s questdb:start)"` sets them); everything else goes to
 * stderr. Starting a running server and stopping a stopped one are no-ops;
 * `stop` signals exactly the recorded pid.
 *
 * Environment: QUESTDB_VERSION (default the pinned one), QUESTDB_HTTP_PORT
 * (9000), QUESTDB_PG_PORT (8812), QUESTDB_ILP_TCP_PORT (9009),
 * QUESTDB_HEALTH_PORT (9003), QUESTDB_JAVA_OPTS, QUESTDB_START_TIMEOUT_MS (90000).
 *
 * A second, private server (the fault tests stop and reconfigure theirs):
 * QUESTDB_HOME moves the data (root/), pid file and log to another directory;
 * the jar is taken from there when present, else from (or fetched into) the
 * default home, so that a private server downloads nothing more.
 * QUESTDB_SERVER_CONF adds `key=value` lines (newline-separated) to the
 * server.conf written on every start, e.g. `pg.password=...`.
 */
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const { join, resolve } = require('node:path');

/**
 * 9.3.x is the last line that runs on Java 17 (9.3.6 and later need Java 25).
 * 9.3.5 is not served by the registry these machines reach (tried 2026-12-01);
 * 9.3.4 is, and it is what CI runs.
 */
const PINNED_VERSION = '9.3.4';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const DEFAULT_HOME = resolve(__dirname, '..', '.candlekeep', 'questdb');
const HOME = process.env.QUESTDB_HOME ? resolve(process.env.QUESTDB_HOME) : DEFAULT_HOME;
const ROOT = join(HOME, 'root');
const PID_FILE = join(HOME, 'questdb.pid');
const LOG_FILE = join(HOME, 'questdb.log');

const version = process.env.QUESTDB_VERSION || PINNED_VERSION;
const ports = {
  http: port('QUESTDB_HTTP_PORT', 9000),
  pg: port('QUESTDB_PG_PORT', 8812),
  ilpTcp: port('QUESTDB_ILP_TCP_PORT', 9009),
  health: port('QUESTDB_HEALTH_PORT', 9003),
};
const HOST = '127.0.0.1';
const JAR_NAME = `questdb-${version}.jar`;
/** The home's own jar when it has one, else the default home's (fetched there: one download serves every home). */
const jar = existsSync(join(HOME, JAR_NAME)) ? join(HOME, JAR_NAME) : join(DEFAULT_HOME, JAR_NAME);
const extraConf = serverConfLines(process.env.QUESTDB_SERVER_CONF ?? '');

/** @param {string} name @param {number} fallback */
function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name}=${raw} is not a port number (1-65535)`);
  return n;
}

/** QUESTDB_SERVER_CONF as server.conf lines, each checked to be `key=value`. @param {string} raw */
function serverConfLines(raw) {
  const lines = raw
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    if (!/^[a-z][a-z0-9._-]*=/i.test(line))
      fail(`QUESTDB_SERVER_CONF: ${JSON.stringify(line)} is not a key=value line of server.conf`);
  }
  return lines;
}

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`questdb: ${message}\n`);
  process.exit(1);
}

/** @param {string} message */
function say(message) {
  process.stderr.write(`questdb: ${message}\n`);
}

/** @param {string} command */
function has(command) {
  return spawnSync(command, ['-version'], { stdio: 'ignore' }).error === undefined;
}

/** What a client needs, credentials of QUESTDB_SERVER_CONF included (QuestDB's PG-wire default is admin/quest). */
function printEnv() {
  const conf = new Map(extraConf.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const httpAuth = conf.has('http.user')
    ? `username=${conf.get('http.user')};password=${conf.get('http.password') ?? ''};`
    : '';
  const pgAuth = `${encodeURIComponent(conf.get('pg.user') ?? 'admin')}:${encodeURIComponent(conf.get('pg.password') ?? 'quest')}`;
  process.stdout.write(
    `export QUESTDB_ILP='http::addr=${HOST}:${ports.http};${httpAuth}'\n` +
      `export QUESTDB_PG_URL='postgres://${pgAuth}@${HOST}:${ports.pg}/qdb'\n`,
  );
}

/** The recorded pid when that process is alive and is this QuestDB; else undefined. */
function runningPid() {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A recycled pid would be another program: check that it is our server.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('io.questdb') || !cmdline.includes(ROOT)) return undefined;
  } catch {
    // No /proc (not Linux): trust the pid file.
  }
  return pid;
}

function fetchJar() {
  if (existsSync(jar)) return;
  if (!has('mvn'))
    fail(
      `Maven (mvn) is needed to fetch org.questdb:questdb:${version} from Maven Central, and it is not on the PATH.`,
    );
  say(`fetching org.questdb:questdb:${version} from Maven Central`);
  mkdirSync(DEFAULT_HOME, { recursive: true });
  const r = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=org.questdb:questdb:${version}`,
      `-DoutputDirectory=${DEFAULT_HOME}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', cwd: DEFAULT_HOME },
  );
  if (r.status !== 0 || !existsSync(jar)) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    fail(`could not fetch org.questdb:questdb:${version} with Maven (exit ${r.status}):\n${out}`);
  }
}

function writeConfig() {
  mkdirSync(join(ROOT, 'conf'), { recursive: true });
  writeFileSync(
    join(ROOT, 'conf', 'server.conf'),
    [
      '# Written by scripts/questdb.js on every start: every listener on loopback only.',
      `http.bind.to=${HOST}:${ports.http}`,
      `http.min.bind.to=${HOST}:${ports.health}`,
      `pg.net.bind.to=${HOST}:${ports.pg}`,
      `line.tcp.net.bind.to=${HOST}:${ports.ilpTcp}`,
      'line.udp.enabled=false',
      `line.udp.bind.to=${HOST}:${ports.ilpTcp}`,
      'telemetry.enabled=false',
      ...(extraConf.length ? ['# QUESTDB_SERVER_CONF', ...extraConf] : []),
      '',
    ].join('\n'),
  );
}

/** @param {number} port */
function portAnswers(port) {
  return new Promise((done) => {
    const socket = net.connect({ host: HOST, port });
    const end = (/** @type {boolean} */ ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

/** HTTP `GET /` answered with any status below 500 (the web console redirects). */
function httpAnswers() {
  return new Promise((done) => {
    const req = http.get({ host: HOST, port: ports.http, path: '/', timeout: 1000 }, (res) => {
      res.resume();
      done((res.statusCode ?? 500) < 500);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
  });
}

function logTail() {
  if (!existsSync(LOG_FILE)) return '(no log)';
  return readFileSync(LOG_FILE, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start() {
  const pid = runningPid();
  if (pid !== undefined) {
    say(`already running (pid ${pid}, data in ${ROOT})`);
    printEnv();
    return;
  }
  if (!has('java')) fail('Java (java, version 17 or later) is needed to run QuestDB, and it is not on the PATH.');
  mkdirSync(HOME, { recursive: true });
  fetchJar();
  for (const [name, p] of Object.entries(ports)) {
    if (await portAnswers(p))
      fail(
        `port ${HOST}:${p} (${name}) is already in use by another program; set QUESTDB_${name === 'ilpTcp' ? 'ILP_TCP' : name.toUpperCase()}_PORT`,
      );
  }
  writeConfig();
  const log = openSync(LOG_FILE, 'w');
  const javaOpts = (process.env.QUESTDB_JAVA_OPTS ?? '-Xms128m -Xmx1g').split(/\s+/).filter(Boolean);
  const child = spawn(
    'java',
    [
      // As QuestDB's own questdb.sh starts it; the export is needed by 8.x builds only, harmless on 9.x.
      '-ea',
      '-Dnoebug',
      '-XX:+UseParallelGC',
      `-XX:ErrorFile=${join(HOME, 'hs_err_pid%p.log')}`,
      ...javaOpts,
      '--add-exports',
      'java.base/jdk.internal.math=io.questdb',
      '-p',
      jar,
      '-m',
      'io.questdb/io.questdb.ServerMain',
      '-d',
      ROOT,
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  let exited = /** @type {number | null | undefined} */ (undefined);
  child.once('exit', (code, signal) => (exited = code ?? (signal ? -1 : null)));
  if (child.pid === undefined) fail(`could not start java: ${logTail()}`);
  writeFileSync(PID_FILE, `${child.pid}\n`);
  child.unref();

  const timeoutMs = Number(process.env.QUESTDB_START_TIMEOUT_MS || 90_000);
  const deadline = Date.now() + timeoutMs;
  say(
    `started pid ${child.pid} (QuestDB ${version}); waiting for HTTP ${HOST}:${ports.http} and PG ${HOST}:${ports.pg}`,
  );
  for (;;) {
    if (exited !== undefined) {
      rmSync(PID_FILE, { force: true });
      fail(`QuestDB exited during start-up (exit ${exited}); the end of ${LOG_FILE}:\n${logTail()}`);
    }
    if ((await httpAnswers()) && (await portAnswers(ports.pg))) break;
    if (Date.now() > deadline) {
      stopPid(child.pid);
      rmSync(PID_FILE, { force: true });
      fail(`QuestDB did not answer within ${timeoutMs} ms; the end of ${LOG_FILE}:\n${logTail()}`);
    }
    await sleep(200);
  }
  say(`ready (pid ${child.pid}, data in ${ROOT}, log ${LOG_FILE})`);
  printEnv();
}

/** SIGTERM, then SIGKILL if it has not exited within 20 s. @param {number} pid */
function stopPid(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 20_000;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return (async () => {
    while (alive() && Date.now() < deadline) await sleep(100);
    if (alive()) {
      say(`pid ${pid} did not stop on SIGTERM within 20 s: SIGKILL`);
      process.kill(pid, 'SIGKILL');
    }
  })();
}

async function stop() {
  const pid = runningPid();
  if (pid === undefined) {
    rmSync(PID_FILE, { force: true });
    say('not running');
    return;
  }
  await stopPid(pid);
  rmSync(PID_FILE, { force: true });
  say(`stopped (pid ${pid})`);
}

function status() {
  const pid = runningPid();
  if (pid === undefined) {
    say('not running');
    process.exitCode = 3;
    return;
  }
  say(`running (pid ${pid}, data in ${ROOT})`);
  printEnv();
}

const verb = process.argv[2];
const verbs = { start, stop, status };
if (verb !== 'start' && verb !== 'stop' && verb !== 'status') {
  process.stderr.write('usage: node scripts/questdb.js start|stop|status\n');
  process.exit(2);
}
Promise.resolve(verbs[verb]()).catch((err) => fail(err instanceof Error ? err.message : String(err)));
