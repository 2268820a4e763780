/**
 * `npm run bench:api [-- --store postgres|questdb|both] [--seconds 10] [--connections 10]`
 *
 * Loads a 10-year 1-minute series (5,260,320 candles, 2016 → 2025) with the built `candlekeep ingest --no-api`
 * into a fresh database (and, for questdb, a QuestDB table of its own), starts the built server (`node
 * dist/main.js`, API_AUTH on, a read token from `candlekeep tokens create`) on loopback and drives it with
 * autocannon at `--connections` concurrent clients for `--seconds` each:
 *   - one year (2025) of `1h` buckets aggregated from the 1-minute candles: 8,760 buckets in two pages (limit
 *     5000; the second asked by its span, as next_cursor would lead to it) — each client asks page 1 then 2;
 *   - one year of `1d` buckets (one page);
 *   - `/latest?interval=1`.
 * Beside each, the best alternative measured in the same run: the store's own aggregation (the CandleStore the
 * server uses, called in this process, no HTTP, no coverage, no JSON) at the same concurrency over the same
 * spans — the floor the API stands on. Prints p50/p99 latency and requests/s of both and the ratios; keeps
 * them in bench/.data/api-results.json.
 *
 * Database: DATABASE_URL when set (its server hosts a scratch database `ck_bench_api`), else an embedded
 * PostgreSQL under bench/.data/home. QuestDB: QUESTDB_ILP and QUESTDB_PG_URL (`npm run questdb:start`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import autocannon from 'autocannon';
import { DataSource } from 'typeorm';
import { CandleStore } from '../src/candles/candle-store';
import { PostgresCandleStore } from '../src/candles/postgres-candle-store';
import { QuestDbCandleStore } from '../src/candles/questdb/questdb-candle-store';
import { bucketSpec, BucketSpec } from '../src/common/aggregation-window';
import { SeriesRef, Span } from '../src/common/series';
import { dataSourceOptions } from '../src/database/data-source-options';
import {
  arg,
  benchServer,
  CLI,
  DATA,
  dropDatabase,
  freshDatabase,
  round,
  timedProcess,
  writeRandomWalk,
} from './bench-db';

const BENCH_DB = 'ck_bench_api';
const T0 = Date.UTC(2016, 0, 1) / 1000;
const END = Date.UTC(2026, 0, 1) / 1000;
const ROWS = (END - T0) / 60;
/** The clock the runs see: the last candle (2025-12-31 23:59) just closed. */
const NOW = new Date((END + 30) * 1000).toISOString();
const YEAR: Span = { from: Date.UTC(2025, 0, 1) / 1000, to: END - 60 };
const PAGE = 5000;
const SYMBOL = 'XBTUSD';

type StoreKind = 'postgres' | 'questdb';

interface Latency {
  p50: number;
  p99: number;
  rps: number;
  requests: number;
}

interface Row {
  store: StoreKind;
  request: string;
  api: Latency;
  direct: Latency;
}

const iso = (t: number) => new Date(t * 1000).toISOString();

function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** autocannon over `requests` (a sequence each client repeats) for `seconds`. */
async function load(
  port: number,
  token: string,
  requests: autocannon.Request[],
  seconds: number,
  connections: number,
): Promise<Latency> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests,
  });
  if (result.non2xx || result.errors || result.timeouts) {
    // autocannon reads no bodies (that would load the process driving the load): ask each path once for the reason.
    const reasons = await Promise.all(
      requests.map(async (r) => {
        const res = await fetch(`http://127.0.0.1:${port}${r.path ?? ''}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return `${res.status} ${(await res.text()).slice(0, 200)}`;
      }),
    );
    throw new Error(
      `autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ${reasons.join(' | ')}`,
    );
  }
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: round(result.requests.average, 1),
    requests: result.requests.total,
  };
}

/** `connections` loops calling `call(i)` (i counts each loop's calls) for `seconds`: the in-process floor. */
async function direct(call: (i: number) => Promise<unknown>, seconds: number, connections: number): Promise<Latency> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = 0; Date.now() < until; i++) {
        const t = process.hrtime.bigint();
        await call(i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: round(pct(50), 1), p99: round(pct(99), 1), rps: round(latencies.length / elapsed, 1), requests: 0 };
}

async function openStore(
  kind: StoreKind,
  url: string,
  table: string,
): Promise<{ store: CandleStore; close(): Promise<void> }> {
  if (kind === 'questdb') {
    const store = new QuestDbCandleStore({
      ilp: process.env.QUESTDB_ILP!,
      pgUrl: process.env.QUESTDB_PG_URL!,
      table,
      batchRows: 50_000,
      visibilityTimeoutMs: 600_000,
    });
    return { store, close: () => store.onApplicationShutdown() };
  }
  const ds = new DataSource({ ...dataSourceOptions(url), extra: { max: 10 } });
  await ds.initialize();
  return { store: new PostgresCandleStore(ds), close: () => ds.destroy() };
}

async function waitForHealth(port: number, exited: () => string | undefined): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const why = exited();
    if (why) throw new Error(why);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not answer /health');
}

async function benchStore(kind: StoreKind, serverUrl: string, file: string, seconds: number, connections: number) {
  const url = await freshDatabase(serverUrl, BENCH_DB);
  const table = `bench_api_${randomBytes(4).toString('hex')}`;
  const storeEnv: Record<string, string> =
    kind === 'questdb'
      ? {
          CANDLE_STORE: 'questdb',
          QUESTDB_ILP: process.env.QUESTDB_ILP!,
          QUESTDB_PG_URL: process.env.QUESTDB_PG_URL!,
          QUESTDB_TABLE: table,
        }
      : {};
  const env = { DATABASE_URL: url, CANDLEKEEP_NOW: NOW, ...storeEnv };
  process.stderr.write(`${kind}: candlekeep ingest of ${ROWS.toLocaleString('en-US')} candles ...\n`);
  const ingest = await timedProcess([CLI, 'ingest', '--csv', file, '--no-api', '--json'], env, 0);
  process.stderr.write(`${kind}: ingested in ${round(ingest.seconds, 1)} s\n`);
  const created = await timedProcess([CLI, 'tokens', 'create', 'bench', '--scopes', 'read', '--json'], env);
  const token = (JSON.parse(created.stdout) as { token: string }).token;

  const port = await freePort();
  const child = spawn(process.execPath, [join(CLI, '..', 'main.js')], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SCHEDULES_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      // The throttler stays on (its cost is in every answer) with a limit the load cannot reach.
      API_RATE_LIMIT: '1000000',
      API_RATE_WINDOW_SECONDS: '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const opened = await openStore(kind, url, table);
  const rows: Row[] = [];
  try {
    await waitForHealth(port, () => (child.exitCode !== null ? `the server exited ${child.exitCode}` : undefined));
    const state = new Client({ connectionString: url });
    await state.connect();
    const { rows: assets } = await state.query<{ id: number; symbol: string }>('SELECT id, symbol FROM assets');
    await state.end();
    const asset = assets[0];
    if (assets.length !== 1 || !asset) throw new Error(`the ingest made ${assets.length} assets, expected 1`);
    const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes: 1 };
    const base = `/api/v1/timeseries/market-data/${SYMBOL}`;
    const query = (window: string, span: Span, extra = '') =>
      `${base}?aggregation_window=${window}&start_time=${iso(span.from)}&end_time=${iso(span.to)}&limit=${PAGE}${extra}`;
    const hour = bucketSpec('1h');
    // The year in two pages: the first 5000 buckets, then the rest (what next_cursor leads to, asked by span).
    const pageOne: Span = { from: YEAR.from, to: YEAR.from + (PAGE - 1) * 3600 };
    const pageTwo: Span = { from: YEAR.from + PAGE * 3600, to: YEAR.to };
    const aggregate = (spec: BucketSpec, span: Span) => opened.store.aggregate(series, span, spec);

    // Warm both paths once (plans, pools, QuestDB's column files in the page cache).
    const first = (await (
      await fetch(`http://127.0.0.1:${port}${query('1h', YEAR)}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { count: number; next_cursor: string | null };
    if (first.count !== PAGE || !first.next_cursor)
      throw new Error(`1h page 1: expected ${PAGE} buckets and a cursor, got ${JSON.stringify(first).slice(0, 200)}`);
    const second = (await (
      await fetch(`http://127.0.0.1:${port}${query('1h', pageTwo)}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { count: number; next_cursor: string | null };
    if (second.count !== 8760 - PAGE || second.next_cursor !== null)
      throw new Error(`1h page 2: expected ${8760 - PAGE} buckets and no cursor, got ${second.count}`);
    await aggregate(hour, YEAR);

    process.stderr.write(`${kind}: 1 year of 1h ...\n`);
    rows.push({
      store: kind,
      request: '1 year of 1h (8,760 buckets from 525,600 candles; 2 pages)',
      api: await load(
        port,
        token,
        [{ path: query('1h', pageOne) }, { path: query('1h', pageTwo) }],
        seconds,
        connections,
      ),
      direct: await direct(
        (i) =>
          aggregate(hour, i % 2 ? { from: pageTwo.from, to: YEAR.to } : { from: pageOne.from, to: pageTwo.from - 60 }),
        seconds,
        connections,
      ),
    });

    process.stderr.write(`${kind}: 1 year of 1d ...\n`);
    rows.push({
      store: kind,
      request: '1 year of 1d (365 buckets from 525,600 candles)',
      api: await load(port, token, [{ path: query('1d', YEAR) }], seconds, connections),
      direct: await direct(() => aggregate(bucketSpec('1d'), YEAR), seconds, connections),
    });

    process.stderr.write(`${kind}: latest ...\n`);
    const latestPath = `${base}/latest?interval=1`;
    rows.push({
      store: kind,
      request: 'latest (interval 1)',
      api: await load(port, token, [{ path: latestPath }], seconds, connections),
      direct: await direct(() => opened.store.edgeCandle(series, { from: 0, to: END }, 'last'), seconds, connections),
    });
  } finally {
    await opened.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    if (kind === 'questdb') {
      const c = new Client({ connectionString: process.env.QUESTDB_PG_URL });
      await c.connect();
      await c.query(`DROP TABLE IF EXISTS ${table}`);
      await c.end();
    }
    await dropDatabase(serverUrl, BENCH_DB);
  }
  return rows;
}

async function main(): Promise<void> {
  const which = arg('--store', 'both');
  const seconds = Number(arg('--seconds', '10'));
  const connections = Number(arg('--connections', '10'));
  const stores: StoreKind[] = which === 'both' ? ['postgres', 'questdb'] : [which as StoreKind];
  if (stores.includes('questdb') && !(process.env.QUESTDB_ILP && process.env.QUESTDB_PG_URL)) {
    process.stdout.write('questdb: skipped (QUESTDB_ILP and QUESTDB_PG_URL are not set)\n');
    stores.splice(stores.indexOf('questdb'), 1);
  }
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build`');
  const dir = join(DATA, 'bench-api');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'XBTUSD_1.csv');
  process.stderr.write(`generating ${ROWS.toLocaleString('en-US')} one-minute candles ...\n`);
  await writeRandomWalk(file, ROWS, T0);
  const server = await benchServer();
  const rows: Row[] = [];
  try {
    for (const kind of stores) rows.push(...(await benchStore(kind, server.url, file, seconds, connections)));
  } finally {
    await server.release();
  }
  const ms = (x: number) => `${round(x, 1)}`.padStart(7);
  process.stdout.write(
    `store     request${' '.repeat(54)}  api p50  api p99   api rps | direct p50  p99   rps | p50 × direct\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${r.store.padEnd(9)} ${r.request.padEnd(60)} ${ms(r.api.p50)}  ${ms(r.api.p99)}  ${ms(r.api.rps)} | ` +
        `${ms(r.direct.p50)} ${ms(r.direct.p99)} ${ms(r.direct.rps)} | ${round(r.api.p50 / Math.max(r.direct.p50, 0.1))}\n`,
    );
  writeFileSync(join(DATA, 'api-results.json'), `${JSON.stringify({ connections, seconds, rows }, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:api failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
