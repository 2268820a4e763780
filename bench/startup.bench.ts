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
import { existsSync, mkdirSync } from 'node:fs';
import {
  arg,
  benchServer,
  CLI,
  DATA,
  dropDatabase,
  Figure,
  freshDatabase,
  medianRange,
  printFigures,
  round,
  timedProcess,
} from './bench-db';
import { NOW, populate } from './report-db';

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
      {
        step: 'candlekeep --help',
        args: [CLI, '--help'],
        env: {},
        code: 0,
        detail: 'answered before the application boots',
      },
      {
        step: 'candlekeep --version',
        args: [CLI, '--version'],
        env: {},
        code: 0,
        detail: 'answered before the application boots',
      },
      {
        step: 'a configuration error (KRAKEN_RPS=lots)',
        args: [CLI, 'gaps', '--json'],
        env: { KRAKEN_RPS: 'lots', DATABASE_URL: empty },
        code: 2,
        detail: 'exit 2, before the application boots',
      },
      {
        step: 'candlekeep gaps --json, empty database',
        args: [CLI, 'gaps', '--json'],
        env: { DATABASE_URL: empty, CANDLEKEEP_NOW: NOW },
        code: 0,
        detail: 'whole verb: boot, schema check, query',
      },
      {
        step: `candlekeep report --json, ${populated.series.toLocaleString('en-US')}-series database`,
        args: [CLI, 'report', '--json'],
        env: { DATABASE_URL: full, CANDLEKEEP_NOW: NOW },
        code: 0,
        detail: `${populated.series} series, ${populated.ranges} coverage ranges`,
      },
    ];
    let floor = 0;
    for (const c of cases) {
      const seconds: number[] = [];
      for (let i = 0; i < runs; i++) seconds.push((await timedProcess(c.args, c.env, c.code)).seconds);
      const m = medianRange(seconds);
      if (floor === 0) floor = m.median;
      const ratio = c.step.startsWith('node ') ? '' : `; ${round(m.median / floor, 1)}× the floor`;
      figures.push({
        step: c.step,
        seconds: m.median,
        detail: `${c.detail}; ${runs} runs, ${round(m.min, 3).toFixed(3)}–${round(m.max, 3).toFixed(3)} s${ratio}`,
      });
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
