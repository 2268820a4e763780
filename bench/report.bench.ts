/**
 * `npm run bench:report [-- --assets 1250] [--runs 3] [--keep]` (--keep leaves the database for a look)
 *
 * Builds, in a fresh database, ASSETS × 8 intervals (1 … 1440; 10,000 series
 * by default) with 10 coverage ranges each (100,000 ranges), bulk-inserted
 * in SQL, at a pinned now. Each series then has 9 old gaps between its ranges
 * (trades-fillable) and one recent one after the last (OHLC-fillable):
 * ~100,000 gap records. Measures, in one Nest application context (as the
 * scheduled tasks and commands run them):
 *   - gap detection over every series (GapDetectorService.detect), first run
 *     (inserts every gap record) and a second run with nothing changed;
 *   - the full completeness report (CompletenessReportService.build);
 * and, end to end, the built `candlekeep report --json` (process start-up included).
 * Each is run --runs times (the first detection on an emptied gap table each
 * time) and the median printed, with the range: this machine's timings move
 * by ±20 % from run to run.
 *
 * Database: DATABASE_URL when set (its server hosts a scratch database
 * `ck_bench_report`), else an embedded PostgreSQL under bench/.data/home.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AssetRepository } from '../src/assets/asset.repository';
import { CliModule } from '../src/cli.module';
import { loadConfig } from '../src/config/app-config';
import { withConfig } from '../src/config/config.module';
import { GapDetectorService } from '../src/gaps/gap-detector.service';
import { CompletenessReportService } from '../src/reports/completeness-report.service';
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
  ROOT,
  round,
  sql,
  timedProcess,
} from './bench-db';
import { INTERVALS, NOW, populate } from './report-db';

const BENCH_DB = 'ck_bench_report';

/** The median of `runs` timings, with their range in the detail when there is more than one. */
function median(step: string, runs: number[], detail: string): Figure {
  const m = medianRange(runs);
  const range =
    runs.length > 1 ? `; ${runs.length} runs, ${round(m.min, 3).toFixed(3)}–${round(m.max, 3).toFixed(3)} s` : '';
  return { step, seconds: m.median, detail: `${detail}${range}` };
}

async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

async function cliReport(url: string): Promise<{ seconds: number; series: number }> {
  const { seconds, stdout } = await timedProcess([CLI, 'report', '--json'], { DATABASE_URL: url, CANDLEKEEP_NOW: NOW });
  return { seconds, series: (JSON.parse(stdout) as { summary: { series: number } }).summary.series };
}

async function main(): Promise<void> {
  const assets = Number(arg('--assets', '1250'));
  const runs = Number(arg('--runs', '3'));
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build`');
  const server = await benchServer();
  const figures: Figure[] = [];
  let app: INestApplicationContext | undefined;
  try {
    const url = await freshDatabase(server.url, BENCH_DB);
    process.stderr.write(`populating ${assets * INTERVALS.length} series ...\n`);
    const populated = await time(() => populate(url, assets));
    figures.push({
      step: 'setup: assets + coverage ranges (SQL)',
      seconds: populated.seconds,
      detail: `${populated.value.series} series, ${populated.value.ranges} ranges`,
    });

    // The application context reads its configuration from the environment when it is created, as the CLI does.
    process.env.DATABASE_URL = url;
    process.env.CANDLEKEEP_NOW = NOW;
    process.env.LOG_LEVEL = 'warn';
    process.env.TIERS_FILE ??= join(ROOT, 'config', 'tiers.json');
    app = await NestFactory.createApplicationContext(withConfig(CliModule, loadConfig(process.env)), {
      logger: ['error', 'warn'],
    });
    const detector = app.get(GapDetectorService);
    const reports = app.get(CompletenessReportService);
    const allAssets = await app.get(AssetRepository).findAll({ active: true });
    const series = allAssets.flatMap((asset) => INTERVALS.map((intervalMinutes) => ({ asset, intervalMinutes })));
    const opts = { lookbackDays: 30 };

    // Each step runs `runs` times (the first detection on an emptied gap table each time); the figure is the median.
    const firsts: number[] = [];
    const seconds: number[] = [];
    const builds: number[] = [];
    let firstDetail = '';
    let secondDetail = '';
    let reportDetail = '';
    for (let run = 0; run < runs; run++) {
      if (run > 0) await sql(url, 'TRUNCATE gap_records');
      const first = await time(() => detector.detect(series, opts));
      firsts.push(first.seconds);
      firstDetail = `${first.value.inserted} gap records inserted`;
      const second = await time(() => detector.detect(series, opts));
      seconds.push(second.seconds);
      secondDetail =
        `${second.value.inserted} inserted, ${second.value.updated} updated, ` + `${second.value.resolved} resolved`;
      const report = await time(() => reports.build());
      builds.push(report.seconds);
      reportDetail = `${report.value.summary.series} series, ${report.value.summary.open_gaps} open gaps`;
    }
    figures.push(median('gap detection, first run', firsts, firstDetail));
    figures.push(median('gap detection, nothing changed', seconds, secondDetail));
    figures.push(median('report: CompletenessReportService.build', builds, reportDetail));
    await app.close();
    app = undefined;
    const clis: number[] = [];
    let cliDetail = '';
    for (let run = 0; run < runs; run++) {
      const cli = await cliReport(url);
      clis.push(cli.seconds);
      cliDetail = `${cli.series} series`;
    }
    figures.push(median('report: `candlekeep report --json` (whole process)', clis, cliDetail));
    if (!process.argv.includes('--keep')) await dropDatabase(server.url, BENCH_DB);
  } finally {
    await app?.close();
    await server.release();
  }
  printFigures('report', figures);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:report failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
