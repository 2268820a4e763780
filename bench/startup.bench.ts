/**
 * `npm run bench:startup [-- --assets 1250] [--runs 7]`
 *
 * Start-up time of the built `candlekeep` command, whole process, as a user waits for it: `--help`, a
 * configuration error (answered before the application boots), `gaps --json` on an empty migrated database,
 * and `report --json` on the report benchmark's database (1,250 assets × 8 intervals: 10,000 series).
 * Each figure is the median of --runs, beside the floor it is measured against in the same run: `node -e 0`,
 * a bare Node process on this machine.
 *
 * Database: DATABASE_URL's server (scratch databases `ck_bench_startup_*`), else an embedded PostgreSQL under
 * bench/.data/home.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { arg, benchServer, CLI, DATA, dropDatabase, Figure, freshDatabase, printFigures, round } from './bench-db';
import { NOW, populate } from './report-db';

/** Seconds from spawn to exit of one process; throws unless it exits with `expectCode`. */
async function timed(args: string[], env: Record<string, string>, expectCode: number): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== expectCode) throw new Error(`${args.join(' ')} exited ${code}, expected ${expectCode}: ${stderr.trim()}`);
  return seconds;
}

async function median(runs: number, fn: () => Promise<number>): Promise<{ median: number; min: number; max: number }> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await fn());
  all.sort((a, b) => a - b);
  const mid = all.length >> 1;
  return { median: all.length % 2 ? all[mid]! : (all[mid - 1]! + all[mid]!) / 2, min: all[0]!, max: all[all.length - 1]! };
}

async function main(): Promise<void> {
  const assets = Number(arg('--assets', '1250'));
  const runs = Number(arg('--runs', '7'));
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build`');
  const server = await benchServer();
  const figures: Figure[] = [];
  try {
    const empty = await freshDatabase(server.url, 'ck_bench_startup_empty');
    const full = await freshDatabase(server.url, 'ck_bench_startup_report');
    process.stderr.write(`populating ${assets * 8} series ...\n`);
    const populated = await populate(full, assets);
    const cases: Array<{ step: string; args: string[]; env: Record<string, string>; code: number; detail: string }> = [
      { step: 'node -e 0 (the floor)', args: ['-e', '0'], env: {}, code: 0, detail: 'a bare Node process' },
      { step: 'candlekeep --help', args: [CLI, '--help'], env: {}, code: 0, detail: 'answered before the application boots' },
      { step: 'candlekeep --version', args: [CLI, '--version'], env: {}, code: 0, detail: 'answered before the application boots' },
      { step: 'a configuration error (KRAKEN_RPS=lots)', args: [CLI, 'gaps', '--json'], env: { KRAKEN_RPS: 'lots', DATABASE_URL: empty }, code: 2, detail: 'exit 2, before the application boots' },
      { step: 'candlekeep gaps --json, empty database', args: [CLI, 'gaps', '--json'], env: { DATABASE_URL: empty, CANDLEKEEP_NOW: NOW }, code: 0, detail: 'whole verb: boot, schema check, query' },
      {
        step: 'candlekeep report --json, 10,000-series database',
        args: [CLI, 'report', '--json'],
        env: { DATABASE_URL: full, CANDLEKEEP_NOW: NOW },
        code: 0,
        detail: `${populated.series} series, ${populated.ranges} coverage ranges`,
      },
    ];
    let floor = 0;
    for (const c of cases) {
      const m = await median(runs, () => timed(c.args, c.env, c.code));
      if (floor === 0) floor = m.median;
      const ratio = c.step.startsWith('node ') ? '' : `; ${round(m.median / floor, 1)}× the floor`;
      figures.push({ step: c.step, seconds: m.median, detail: `${c.detail}; ${runs} runs, ${round(m.min, 3).toFixed(3)}–${round(m.max, 3).toFixed(3)} s${ratio}` });
      process.stderr.write(`${c.step}: ${round(m.median, 3)} s\n`);
    }
    await dropDatabase(server.url, 'ck_bench_startup_empty');
    await dropDatabase(server.url, 'ck_bench_startup_report');
  } finally {
    await server.release();
  }
  printFigures('startup', figures);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:startup failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
