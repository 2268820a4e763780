/**
 * Database helpers shared by the benchmarks: the server (DATABASE_URL's, else
 * an embedded PostgreSQL under bench/.data/home) and fresh, migrated scratch
 * databases on it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';

/** The repository root (benchmarks run from dist-bench/bench/). */
export const ROOT = resolve(__dirname, '..', '..');
export const DATA = join(ROOT, 'bench', '.data');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text, params);
  } finally {
    await c.end();
  }
}

/** (Re)creates `database` on the server and migrates it with the built CLI; returns its URL. */
export async function freshDatabase(serverUrl: string, database: string): Promise<string> {
  await sql(withDatabase(serverUrl, 'postgres'), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sql(withDatabase(serverUrl, 'postgres'), `CREATE DATABASE ${database}`);
  const url = withDatabase(serverUrl, database);
  execFileSync(process.execPath, [CLI, 'migrate', '--json'], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return url;
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  await sql(withDatabase(serverUrl, 'postgres'), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}

/** The server the benchmark uses: DATABASE_URL's, else an embedded one (release() stops it). */
export async function benchServer(): Promise<{ url: string; release(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, release: async () => undefined };
  const embedded = new EmbeddedPostgres(join(DATA, 'home'));
  const { url } = await embedded.acquire();
  return { url, release: () => embedded.release() };
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One measured step of a benchmark. */
export interface Figure {
  step: string;
  seconds: number;
  detail: string;
}

/** Prints the figures as a table on stdout and keeps them in bench/.data/NAME-results.json. */
export function printFigures(name: string, figures: readonly Figure[]): void {
  const width = Math.max(...figures.map((f) => f.step.length));
  process.stdout.write(`${'step'.padEnd(width)}  seconds  detail\n`);
  for (const f of figures)
    process.stdout.write(`${f.step.padEnd(width)}  ${round(f.seconds, 3).toFixed(3).padStart(7)}  ${f.detail}\n`);
  writeFileSync(join(DATA, `${name}-results.json`), `${JSON.stringify(figures, null, 2)}\n`);
}

/** Median, lowest and highest of a set of timings. */
export function medianRange(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    median: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
  };
}

/** One whole process (`node ARGS`), spawn to exit: its seconds and stdout; throws unless it exits with `expectCode`. */
export async function timedProcess(
  args: readonly string[],
  env: Record<string, string>,
  expectCode = 0,
): Promise<{ seconds: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== expectCode)
    throw new Error(`node ${args.join(' ')} exited ${code}, expected ${expectCode}: ${stderr.trim()}`);
  return { seconds, stdout };
}

/**
 * An N-row 1-minute OHLCVT file from `t0`: a deterministic random walk with Kraken-like formatting (the volumes
 * are sometimes in scientific notation). Kept beside a `.rows` marker so an unchanged file is not rewritten.
 */
export async function writeRandomWalk(path: string, rows: number, t0: number): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.rows`) && readFileSync(`${path}.rows`, 'utf8') === String(rows)) return;
  const out = createWriteStream(path);
  let seed = 42;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  let price = 5000;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const open = price;
    price = Math.max(1, price + (rnd() - 0.5) * 5);
    const high = Math.max(open, price) + rnd();
    const low = Math.max(0.1, Math.min(open, price) - rnd());
    const volume = i % 97 === 0 ? '1E+1' : (rnd() * 10).toFixed(8);
    lines.push(
      `${t0 + i * 60},${open.toFixed(1)},${high.toFixed(1)},${low.toFixed(1)},${price.toFixed(1)},` +
        `${volume},${1 + (i % 50)}`,
    );
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines.length = 0;
    }
  }
  out.end(lines.length ? `${lines.join('\n')}\n` : '');
  await once(out, 'finish');
  writeFileSync(`${path}.rows`, String(rows));
}
