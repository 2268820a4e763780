/**
 * `npm run bench:ingest [-- --sizes 5000000,20000000]`
 *
 * For each size: generates an N-row 1-minute OHLCVT file, loads it with
 * `psql \copy` into an equivalent table with the same primary key
 * (asset_id, interval_minutes, ts), then with the built `candlekeep ingest`
 * (whole command: start-up, ledger, hash, parse/validate, COPY, coverage),
 * each into a freshly migrated database. Prints rows/s of both, the ratio
 * and the peak RSS of the ingest process.
 *
 * Database: DATABASE_URL when set (its server hosts a scratch database
 * `ck_bench`), else an embedded PostgreSQL under bench/.data/home.
 *
 * `-- --store questdb` also runs, on the same file, the same `candlekeep
 * ingest` with CANDLE_STORE=questdb (QUESTDB_ILP and QUESTDB_PG_URL from the
 * environment; state stays in PostgreSQL; a table of its own) and a raw ILP
 * baseline — QuestDB's own limit: the rows encoded as ILP before the clock
 * starts, POSTed to /write in 50,000-row batches one at a time (keep-alive),
 * timed from the first POST until QuestDB shows every row — and prints both
 * beside the postgres figures; when QuestDB is not configured or not
 * reachable it says so. `-- --export` also times `candlekeep candles` of the
 * whole series (CSV to a pipe) from each store loaded: rows/s and peak RSS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, QueryResultRow } from 'pg';
import { createAssetpriceSql } from '../src/candles/questdb/assetprice';
import { IlpCandleEncoder } from '../src/candles/questdb/ilp-candle-encoder';
import { IlpChannel } from '../src/candles/questdb/ilp-channel';
import { QuestDbCandleStore } from '../src/candles/questdb/questdb-candle-store';
import { arg, benchServer, CLI, DATA, dropDatabase, freshDatabase, round, writeRandomWalk } from './bench-db';

const BENCH_DB = 'ck_bench';
/** 1985-01-01: 20M one-minute candles end in 2023, all closed. */
const T0 = Date.UTC(1985, 0, 1) / 1000;

interface Measurement {
  rows: number;
  /** `--export`: candle export of the whole series from each store. */
  exportRowsPerSecond?: number;
  exportPeakRssMb?: number;
  questdbExportRowsPerSecond?: number;
  questdbExportPeakRssMb?: number;
  questdbRowsPerSecond?: number;
  questdbPeakRssMb?: number;
  rawIlpRowsPerSecond?: number;
  questdbSkipped?: string;
  fileBytes: number;
  psqlSeconds: number;
  psqlRowsPerSecond: number;
  ingestSeconds: number;
  ingestRowsPerSecond: number;
  ratio: number;
  ingestPeakRssMb: number;
}

function psqlCopy(url: string, file: string): number {
  execFileSync('psql', [url, '-qv', 'ON_ERROR_STOP=1', '-c', 'CHECKPOINT'], { stdio: 'inherit' });
  execFileSync(
    'psql',
    [
      url,
      '-qv',
      'ON_ERROR_STOP=1',
      '-c',
      `CREATE TABLE bench_psql (asset_id integer NOT NULL DEFAULT 1, interval_minutes integer NOT NULL DEFAULT 1, ` +
        `ts bigint NOT NULL,
         open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL, ` +
        `close double precision NOT NULL,
         volume double precision NOT NULL, trades integer NOT NULL, PRIMARY KEY (asset_id, interval_minutes, ts))`,
    ],
    { stdio: 'inherit' },
  );
  const started = process.hrtime.bigint();
  execFileSync(
    'psql',
    [
      url,
      '-qv',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy bench_psql (ts, open, high, low, close, volume, trades) FROM '${file}' WITH (FORMAT csv)`,
    ],
    {
      stdio: 'inherit',
    },
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Runs the built CLI; peak RSS from /usr/bin/time when present, else by polling VmHWM. stdout is kept when
 * `keepStdout`, else only its bytes and lines are counted (an export's megabytes are not held).
 */
async function measuredCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  keepStdout: boolean,
): Promise<{ code: number; seconds: number; peakRssMb: number; stdout: string; lines: number }> {
  const timeFile = join(DATA, 'cli.time');
  const useTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const child = useTime
    ? spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, CLI, ...args], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let peakKb = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 100);
  let stdout = '';
  let lines = 0;
  child.stdout.on('data', (d: Buffer) => {
    if (keepStdout) stdout += d.toString();
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
  });
  const [code] = (await once(child, 'close')) as [number];
  clearInterval(poll);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (useTime) peakKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { code, seconds, peakRssMb: Math.round(peakKb / 1024), stdout, lines };
}

async function ingest(
  url: string,
  file: string,
  rows: number,
  store: 'postgres' | 'questdb' = 'postgres',
  extraEnv: Record<string, string> = {},
): Promise<{ seconds: number; peakRssMb: number }> {
  execFileSync('psql', [url, '-qc', 'CHECKPOINT'], { stdio: 'inherit' });
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', CANDLE_STORE: store, ...extraEnv };
  const run = await measuredCli(['ingest', '--csv', file, '--no-api', '--json'], env, true);
  const result = JSON.parse(run.stdout) as { rows_ingested: number; status: string };
  if (run.code !== 0 || result.rows_ingested !== rows)
    throw new Error(`ingest failed (exit ${run.code}): ${run.stdout}`);
  return run;
}

/** `candlekeep candles` of the whole series as CSV (to a pipe that counts lines): rows/s and peak RSS. */
async function exportAll(
  url: string,
  rows: number,
  store: 'postgres' | 'questdb',
  extraEnv: Record<string, string> = {},
): Promise<{ rowsPerSecond: number; peakRssMb: number }> {
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', CANDLE_STORE: store, ...extraEnv };
  const run = await measuredCli(['candles', 'BTC-USD-SPOT', '--interval', '1', '--format', 'csv'], env, false);
  if (run.code !== 0 || run.lines !== rows + 1)
    throw new Error(`export failed (exit ${run.code}): ${run.lines} lines for ${rows} rows`);
  return { rowsPerSecond: Math.round(rows / run.seconds), peakRssMb: run.peakRssMb };
}

const RAW_BATCH_ROWS = 50_000;

/** One PG-wire query to the QuestDB of QUESTDB_PG_URL. */
async function questdbQuery<T extends QueryResultRow>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: process.env.QUESTDB_PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * QuestDB's own limit on this machine: the file's rows encoded as ILP (the store's encoder, so the same bytes)
 * before the clock starts, then POSTed in 50,000-row batches one at a time over one keep-alive connection,
 * timed until a count over the PG wire shows every row. Into a fresh table of the store's schema, dropped after.
 */
async function rawIlp(file: string, rows: number): Promise<number> {
  const table = `bench_raw_${randomBytes(4).toString('hex')}`;
  await questdbQuery(createAssetpriceSql(table));
  try {
    const channel = await IlpChannel.open(process.env.QUESTDB_ILP ?? '', () => undefined);
    const encoder = new IlpCandleEncoder(
      table,
      { assetId: 1, symbol: 'BTC-USD-SPOT', intervalMinutes: 1 },
      'csv',
      channel.protocolVersion,
    );
    const batches: Buffer[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const [ts, open, high, low, close, volume, trades] = line.split(',').map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      encoder.add({ ts, open, high, low, close, vwap: null, volume, trades });
      // take() hands out a view the encoder reuses: each batch is kept as a copy.
      if (encoder.rows === RAW_BATCH_ROWS) batches.push(Buffer.from(encoder.take()!));
    }
    const last = encoder.take();
    if (last) batches.push(Buffer.from(last));
    const started = process.hrtime.bigint();
    for (const batch of batches) await channel.send(batch);
    for (;;) {
      const [row] = await questdbQuery<{ n: string }>(`SELECT count() n FROM ${table}`);
      if (Number(row?.n ?? 0) >= rows) break;
      await sleep(20);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await channel.close();
    return seconds;
  } finally {
    await questdbQuery(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** Why the questdb run cannot happen here, or undefined when QuestDB is configured and answers. */
async function questdbProblem(): Promise<string | undefined> {
  const ilp = process.env.QUESTDB_ILP;
  const pgUrl = process.env.QUESTDB_PG_URL;
  if (!ilp || !pgUrl) return 'QUESTDB_ILP and QUESTDB_PG_URL are not set';
  const store = new QuestDbCandleStore({
    ilp,
    pgUrl,
    table: 'assetprice',
    batchRows: 50_000,
    visibilityTimeoutMs: 600_000,
  });
  try {
    const health = await store.health();
    return health.reachable ? undefined : `QuestDB is not reachable: ${health.error}`;
  } finally {
    await store.onApplicationShutdown();
  }
}

async function main(): Promise<void> {
  const sizes = arg('--sizes', '5000000,20000000').split(',').map(Number);
  const withQuestdb = arg('--store', 'postgres') === 'questdb';
  const withExport = process.argv.includes('--export');
  const questdbSkip = withQuestdb ? await questdbProblem() : undefined;
  if (questdbSkip) process.stdout.write(`questdb: skipped (${questdbSkip})\n`);
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build`');
  const server = await benchServer();
  const serverUrl = server.url;
  const results: Measurement[] = [];
  try {
    for (const rows of sizes) {
      const file = join(DATA, `bench-${rows}`, 'XBTUSD_1.csv');
      mkdirSync(join(DATA, `bench-${rows}`), { recursive: true });
      process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows ...\n`);
      await writeRandomWalk(file, rows, T0);
      // Each load gets its own fresh database, dropped right after: no autovacuum debt of one run slows the other.
      process.stderr.write(`psql \\copy ...\n`);
      const psqlSeconds = psqlCopy(await freshDatabase(serverUrl, BENCH_DB), file);
      process.stderr.write(`candlekeep ingest ...\n`);
      const ingestDb = await freshDatabase(serverUrl, BENCH_DB);
      const run = await ingest(ingestDb, file, rows);
      const m: Measurement = {
        rows,
        fileBytes: statSync(file).size,
        psqlSeconds: round(psqlSeconds),
        psqlRowsPerSecond: Math.round(rows / psqlSeconds),
        ingestSeconds: round(run.seconds),
        ingestRowsPerSecond: Math.round(rows / run.seconds),
        ratio: round(psqlSeconds / run.seconds),
        ingestPeakRssMb: run.peakRssMb,
      };
      if (withExport) {
        process.stderr.write(`candlekeep candles (export, postgres) ...\n`);
        const e = await exportAll(ingestDb, rows, 'postgres');
        m.exportRowsPerSecond = e.rowsPerSecond;
        m.exportPeakRssMb = e.peakRssMb;
      }
      if (withQuestdb && !questdbSkip) {
        process.stderr.write(`raw ILP baseline ...\n`);
        m.rawIlpRowsPerSecond = Math.round(rows / (await rawIlp(file, rows)));
        process.stderr.write(`candlekeep ingest (CANDLE_STORE=questdb) ...\n`);
        const table = `bench_store_${randomBytes(4).toString('hex')}`;
        try {
          const questdbDb = await freshDatabase(serverUrl, BENCH_DB);
          const q = await ingest(questdbDb, file, rows, 'questdb', { QUESTDB_TABLE: table });
          m.questdbRowsPerSecond = Math.round(rows / q.seconds);
          m.questdbPeakRssMb = q.peakRssMb;
          if (withExport) {
            process.stderr.write(`candlekeep candles (export, questdb) ...\n`);
            const e = await exportAll(questdbDb, rows, 'questdb', { QUESTDB_TABLE: table });
            m.questdbExportRowsPerSecond = e.rowsPerSecond;
            m.questdbExportPeakRssMb = e.peakRssMb;
          }
        } finally {
          await questdbQuery(`DROP TABLE IF EXISTS ${table}`);
        }
      }
      results.push(m);
      process.stdout.write(
        `${rows.toLocaleString('en-US')} rows: ` +
          `psql \\copy ${m.psqlRowsPerSecond.toLocaleString('en-US')} rows/s (${m.psqlSeconds} s), ` +
          `candlekeep ingest ${m.ingestRowsPerSecond.toLocaleString('en-US')} rows/s (${m.ingestSeconds} s), ` +
          `ratio ${m.ratio}, ` +
          `ingest peak RSS ${m.ingestPeakRssMb} MB` +
          (m.questdbRowsPerSecond && m.rawIlpRowsPerSecond
            ? `; raw ILP baseline ${m.rawIlpRowsPerSecond.toLocaleString('en-US')} rows/s, ` +
              `questdb ingest ${m.questdbRowsPerSecond.toLocaleString('en-US')} rows/s ` +
              `(${round(m.questdbRowsPerSecond / m.rawIlpRowsPerSecond)} × raw ILP, ` +
              `${round(m.questdbRowsPerSecond / m.ingestRowsPerSecond)} × the postgres store), ` +
              `peak RSS ${m.questdbPeakRssMb} MB`
            : '') +
          (m.exportRowsPerSecond
            ? `; export: postgres ${m.exportRowsPerSecond.toLocaleString('en-US')} rows/s ` +
              `(peak RSS ${m.exportPeakRssMb} MB)`
            : '') +
          (m.questdbExportRowsPerSecond
            ? `, questdb ${m.questdbExportRowsPerSecond.toLocaleString('en-US')} rows/s ` +
              `(peak RSS ${m.questdbExportPeakRssMb} MB)`
            : '') +
          '\n',
      );
    }
    await dropDatabase(serverUrl, BENCH_DB);
  } finally {
    await server.release();
  }
  writeFileSync(join(DATA, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:ingest failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
