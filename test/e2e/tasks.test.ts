import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Client } from 'pg';
import { CommonModule } from '../../src/common/common.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { MarketDataUpdateResult } from '../../src/backfill/market-data-update.service';
import type { CompletenessReport } from '../../src/reports/completeness-report.service';
import type { ValidationResult } from '../../src/reports/staleness.service';
import { TaskScheduler } from '../../src/tasks/task-scheduler';
import { TaskInfo, TaskRun, TasksService } from '../../src/tasks/tasks.service';
import { TasksModule } from '../../src/tasks/tasks.module';
import { CLI, cleanEnv, ROOT, runCli } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { Seed } from '../helpers/seed';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';
import { krakenTestEnv } from '../helpers/kraken-env';

/** Kraken's daily archives (XBTUSD, XBTCAD) end 2025-03-31: "now" is just after. */
const NOW = '2025-04-01T00:30:00Z';
const TASK_NAMES = [
  'backfill-gaps-incremental',
  'cleanup-old-gap-records',
  'report-data-completeness',
  'validate-recent-data',
  'update-market-data',
  'recover-stale-jobs',
];

describe('scheduled tasks through TasksService (real modules, real PostgreSQL, Kraken test server)', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let seed: Seed;
  let moduleRef: TestingModule | undefined;

  const env = (extra: Record<string, string> = {}) =>
    krakenTestEnv(db.url, server.url, NOW, { LOG_LEVEL: 'error', ...extra });

  async function boot(extra: Record<string, string> = {}, scheduler = false): Promise<TestingModule> {
    const builder = Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(loadConfig(env(extra))),
        CommonModule,
        DatabaseModule,
        TasksModule,
        ...(scheduler ? [ScheduleModule.forRoot()] : []),
      ],
      providers: scheduler ? [TaskScheduler] : [],
    });
    moduleRef = await builder.compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef;
  }
  const run = async <T>(name: string, extra: Record<string, string> = {}): Promise<T> => {
    const tasks = (await boot(extra)).get(TasksService);
    const out = await tasks.run(name, 'cli');
    expect(out).toMatchObject({ task: name, ran: true });
    return out.result as T;
  };

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: NOW });
  });
  afterAll(() => server.close());
  beforeEach(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    seed = new Seed(pg);
    server.resetCounters();
    server.clearFaults();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    await pg.end();
    await db.drop();
  });

  it(
    'backfill-gaps-incremental fills each configured tier/interval set within the lookback, ' +
      'one OHLC call per series',
    async () => {
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD', { tier: 'TIER1' });
      const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD', { tier: 'TIER2' });
      const eth = await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD', { tier: 'TIER3' });
      await seed.coverage(usd, 1440, '2024-01-01', '2025-03-20');
      await seed.coverage(cad, 1440, '2024-01-01', '2025-03-29');
      await seed.coverage(eth, 1440, '2024-01-01', '2025-03-01');

      const result = await run<{ sets: Array<{ tier: string; intervals: number[]; result: BackfillSummary }> }>(
        'backfill-gaps-incremental',
        {
          BACKFILL_SETS: 'TIER1:1440;TIER2:1440',
          BACKFILL_LOOKBACK_DAYS: '7',
          TRADES_BACKFILL: 'off',
        },
      );
      expect(
        result.sets.map((s) => [
          s.tier,
          s.intervals,
          s.result.series_processed,
          s.result.gaps_filled,
          s.result.api_calls,
        ]),
      ).toEqual([
        ['TIER1', [1440], 1, 1, 1],
        ['TIER2', [1440], 1, 1, 1],
      ]);
      expect(server.seriesRequestCount('XBTUSD', 1440)).toBe(1);
      expect(server.seriesRequestCount('XBTCAD', 1440)).toBe(1);
      expect(server.seriesRequestCount('ETHUSD')).toBe(0); // TIER3 is in no set
      expect(server.requestCount('OHLC')).toBe(2);
      // Incremental with a 7-day lookback: BTC-USD's gap 03-21..03-31 reaches into it, and inside the OHLC window
      // the one request the series needs fills it whole (never a record re-spanned to the lookback, leaving
      // 03-21..03-25 without one).
      const { rows } = await pg.query(
        `SELECT a.symbol, g.start_ts::date::text AS s, g.end_ts::date::text AS e, g.status, g.candles_filled::int AS n
         FROM gap_records g JOIN assets a ON a.id = g.asset_id ORDER BY a.symbol`,
      );
      expect(rows).toEqual([
        { symbol: 'BTC-CAD-SPOT', s: '2025-03-30', e: '2025-03-31', status: 'FILLED', n: 2 },
        { symbol: 'BTC-USD-SPOT', s: '2025-03-21', e: '2025-03-31', status: 'FILLED', n: 11 },
      ]);
      // One job for the run (not one per set, none from BackfillService itself), its counts summed over the sets.
      const jobs = await pg.query(
        `SELECT kind, trigger, task, status, gaps_filled::int, api_calls::int, result FROM ingestion_jobs`,
      );
      expect(jobs.rows).toEqual([
        {
          kind: 'backfill',
          trigger: 'cli',
          task: 'backfill-gaps-incremental',
          status: 'COMPLETED',
          gaps_filled: 2,
          api_calls: 2,
          result,
        },
      ]);
    },
  );

  it(
    "every task run is a job row named after its task; `tasks list` shows each task's last run; " +
      'a run that throws is FAILED',
    async () => {
      const r = await runCli(['tasks', 'run', 'cleanup-old-gap-records', '--json'], env());
      expect(r.code).toBe(0);
      const run = r.json<TaskRun>();
      expect(run.job_id).toMatch(/^[0-9a-f-]{36}$/);
      // Kraken unreachable: the update throws, its job is FAILED with the error, the error goes on to the caller.
      const tasks = (
        await boot({ KRAKEN_API_URL: 'http://127.0.0.1:9', KRAKEN_MAX_RETRIES: '0', KRAKEN_UNREACHABLE_AFTER: '1' })
      ).get(TasksService);
      // held, behind
      await seed.coverage(await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD'), 1440, '2025-01-01', '2025-03-20');
      await expect(tasks.run('update-market-data', 'cli')).rejects.toThrow(/Kraken unreachable/);
      const { rows } = await pg.query(
        `SELECT id, kind, trigger, task, status, error, duration_ms FROM ingestion_jobs ORDER BY created_at`,
      );
      expect(rows.map((j) => [j.kind, j.trigger, j.task, j.status])).toEqual([
        ['cleanup', 'cli', 'cleanup-old-gap-records', 'COMPLETED'],
        ['update-market-data', 'cli', 'update-market-data', 'FAILED'],
      ]);
      expect(rows[0].id).toBe(run.job_id);
      expect(rows[1].error).toMatch(/Kraken unreachable/);

      const list = await runCli(['tasks', 'list', '--json'], env());
      expect(list.code).toBe(0);
      const last = Object.fromEntries(list.json<{ tasks: TaskInfo[] }>().tasks.map((t) => [t.name, t.last_run]));
      expect(last).toEqual({
        'backfill-gaps-incremental': null,
        'cleanup-old-gap-records': {
          job_id: run.job_id,
          trigger: 'cli',
          status: 'COMPLETED',
          started_at: NOW.replace('Z', '.000Z'),
          finished_at: NOW.replace('Z', '.000Z'),
          duration_ms: Number(rows[0].duration_ms),
        },
        'report-data-completeness': null,
        'validate-recent-data': null,
        'update-market-data': expect.objectContaining({ job_id: rows[1].id, status: 'FAILED' }),
        'recover-stale-jobs': null,
      });
      const text = await runCli(['tasks', 'list'], env());
      expect(text.stdout).toMatch(/cleanup-old-gap-records .* COMPLETED +\d+ ms/);
    },
  );

  it('a scheduled run is a job row with trigger schedule', async () => {
    const ref = await boot({ SCHEDULES_ENABLED: 'true' }, true);
    const jobs = ref.get(SchedulerRegistry).getCronJobs();
    try {
      await jobs.get('validate-recent-data')!.fireOnTick();
    } finally {
      for (const j of jobs.values()) void j.stop();
    }
    const { rows } = await pg.query(`SELECT kind, trigger, task, status FROM ingestion_jobs`);
    expect(rows).toEqual([
      { kind: 'validate', trigger: 'schedule', task: 'validate-recent-data', status: 'COMPLETED' },
    ]);
  });

  it(
    'cleanup-old-gap-records deletes exactly the records closed (FILLED, VERIFIED_EMPTY, MERGED) ' +
      'more than CLEANUP_DAYS ago',
    async () => {
      const a = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
      const day = (n: number) => `2024-01-${String(n).padStart(2, '0')}`;
      const gone = [
        await seed.gap(a, 1440, day(1), day(1), 'FILLED', '2025-02-01T00:00Z'),
        await seed.gap(a, 1440, day(2), day(2), 'VERIFIED_EMPTY', '2024-12-01T00:00Z'),
        await seed.gap(a, 1440, day(3), day(3), 'MERGED', '2025-03-01T00:00Z'),
      ];
      const kept = [
        await seed.gap(a, 1440, day(4), day(4), 'FILLED', '2025-03-15T00:00Z'), // recent
        await seed.gap(a, 1440, day(5), day(5), 'FILLED', '2025-03-02T00:30Z'), // exactly 30 days: not "more than"
        await seed.gap(a, 1440, day(6), day(6), 'DETECTED'),
        await seed.gap(a, 1440, day(7), day(7), 'FAILED'),
        // old but not resolved
        await seed.gap(a, 1440, day(8), day(8), 'UNFILLABLE', '2024-06-01T00:00Z', 'ARCHIVE_ONLY'),
        await seed.gap(a, 1440, day(9), day(9), 'PARTIAL'),
        // An ignored span still stands for what is missing there (counted apart): never cleaned up.
        await seed.gap(a, 1440, day(10), day(10), 'IGNORED', '2024-06-01T00:00Z'),
      ];
      const result = await run<{ deleted: number; before: string }>('cleanup-old-gap-records', { CLEANUP_DAYS: '30' });
      expect(result).toEqual({ deleted: 3, before: '2025-03-02T00:30:00.000Z' });
      const left = Object.keys(await seed.gapStatuses()).map(Number);
      expect(left).toEqual(kept);
      expect(left.some((id) => gone.includes(id))).toBe(false);
    },
  );

  it('report-data-completeness writes the JSON and HTML report into REPORTS_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-reports-'));
    try {
      const a = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
      await seed.coverage(a, 1440, '2025-01-01', '2025-03-31');
      await seed.gap(a, 1440, '2024-12-01', '2024-12-31', 'DETECTED');
      const reportsDir = join(dir, 'nested', 'reports');
      const result = await run<{ json: string; html: string; summary: CompletenessReport['summary'] }>(
        'report-data-completeness',
        {
          REPORTS_DIR: reportsDir,
        },
      );
      expect(dirname(result.json)).toBe(reportsDir);
      expect(dirname(result.html)).toBe(reportsDir);
      expect(result.json).toMatch(/completeness-2025-04-01T00-30-00-000Z\.json$/);
      const report = JSON.parse(readFileSync(result.json, 'utf8')) as CompletenessReport;
      expect(report.generated_at).toBe('2025-04-01T00:30:00.000Z');
      expect(report.series.map((s) => [s.symbol, s.interval, s.open_gaps, s.last])).toEqual([
        ['BTC-USD-SPOT', 1440, 1, '2025-03-31T00:00:00.000Z'],
      ]);
      expect(result.summary).toEqual(report.summary);
      const html = readFileSync(result.html, 'utf8');
      expect(html).toMatch(/<svg/);
      expect(html).toContain('BTC-USD-SPOT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validate-recent-data lists the series more than STALE_HOURS behind', async () => {
    const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
    const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
    const eth = await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD');
    await seed.coverage(usd, 1440, '2025-01-01', '2025-03-31'); // current
    await seed.coverage(cad, 1440, '2025-01-01', '2025-03-28'); // 72 h behind the last closed day
    await seed.coverage(eth, 1440, '2025-01-01', '2025-03-30'); // 24 h behind
    const result = await run<ValidationResult>('validate-recent-data', { STALE_HOURS: '48' });
    expect(result).toEqual({
      hours: 48,
      checked: 3,
      alerted: false,
      stale: [{ symbol: 'BTC-CAD-SPOT', interval: 1440, last: '2025-03-28T00:00:00.000Z', hours_behind: 72 }],
    });
  });

  it(
    'update-market-data updates the stale series of UPDATE_CATEGORIES, skips fresh ones, ' +
      'and a failing category does not stop the others',
    async () => {
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
      const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
      // a pair Kraken does not know
      const sek = await seed.asset('SEK-NOK-SPOT', 'ZSEKZNOK', 'SEKNOK', { category: 'forex' });
      await seed.coverage(sek, 1440, '2025-01-01', '2025-03-20');
      await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD'); // nothing held: not updated (no series is started)
      await seed.asset('PAXG-USD-SPOT', 'PAXGUSD', 'PAXGUSD', { category: 'commodity' }); // not in UPDATE_CATEGORIES
      await seed.coverage(usd, 1440, '2025-01-01', '2025-03-20');
      await seed.coverage(cad, 1440, '2025-01-01', '2025-03-31');
      const result = await run<MarketDataUpdateResult>('update-market-data', { UPDATE_CATEGORIES: 'forex,crypto' });
      expect(result).toEqual({
        status: 'partial',
        categories_processed: 2,
        total_categories: 2,
        summary: { total_success: 1, total_unchanged: 0, total_failed: 1, total_skipped: 1 },
        details: {
          forex: { success: 0, unchanged: 0, failed: 1, skipped: 0 },
          crypto: { success: 1, unchanged: 0, failed: 0, skipped: 1 },
        },
        force_update: false,
        api_calls: 2,
      });
      expect(server.seriesRequestCount('XBTUSD', 1440)).toBe(1);
      expect(server.seriesRequestCount('XBTCAD')).toBe(0);
      expect(server.seriesRequestCount('ETHUSD')).toBe(0);
      expect(
        server.requests
          .filter((r) => r.endpoint === 'OHLC' && r.params.pair === 'ZSEKZNOK')
          .map((r) => Number(r.params.interval))
          .sort((x, y) => x - y),
      ).toEqual([1440]);
      expect(server.requests.some((r) => r.params.pair === 'PAXGUSD')).toBe(false);
      const { rows } = await pg.query(
        `SELECT end_ts FROM data_coverage_ranges WHERE asset_id = $1 AND interval_minutes = 1440`,
        [usd],
      );
      expect(rows).toEqual([{ end_ts: new Date('2025-03-31T00:00Z') }]);
    },
  );

  it(
    'recover-stale-jobs: silent RUNNING jobs → PARTIAL, FILLING gaps nobody claims → DETECTED, ' +
      'claimed ones stay FILLING',
    async () => {
      const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
      const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
      const jobs = await pg.query<{ id: string }>(
        `INSERT INTO ingestion_jobs (status, started_at, heartbeat_at) VALUES
         ('RUNNING', now() - interval '1 hour', now() - interval '10 minutes'),
         ('RUNNING', now() - interval '1 hour', now() - interval '1 minute'),
         ('COMPLETED', now() - interval '2 hours', now() - interval '90 minutes')
       RETURNING id`,
      );
      const [silent, alive, done] = jobs.rows.map((r) => r.id);
      const stuck = await seed.gap(usd, 1440, '2025-03-01', '2025-03-05', 'FILLING');
      const claimed = await seed.gap(cad, 1440, '2025-03-01', '2025-03-05', 'FILLING');
      const untouched = await seed.gap(usd, 60, '2025-03-01T00:00Z', '2025-03-01T05:00Z', 'DETECTED');

      // Another live process holds BTC-CAD 1440's fill claim (the backfill's series lock) on its own connection.
      const other = new Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`candlekeep:fill:${cad}:1440`]);
        const result = await run<{ jobs_recovered: number; gaps_released: number }>('recover-stale-jobs', {
          STALE_JOB_MINUTES: '5',
        });
        expect(result).toEqual({ jobs_recovered: 1, gaps_released: 1 });
      } finally {
        await other.end();
      }
      // The recovery's own run is a job of its own (COMPLETED), not among the ones it looked at.
      const js = await pg.query<{ id: string; status: string }>(
        `SELECT id, status FROM ingestion_jobs WHERE task IS NULL`,
      );
      expect(Object.fromEntries(js.rows.map((r) => [r.id, r.status]))).toEqual({
        [silent!]: 'PARTIAL',
        [alive!]: 'RUNNING',
        [done!]: 'COMPLETED',
      });
      expect(await seed.gapStatuses()).toEqual({ [stuck]: 'DETECTED', [claimed]: 'FILLING', [untouched]: 'DETECTED' });
    },
  );

  describe('schedules', () => {
    const crons = {
      CRON_BACKFILL: '10 1 * * *',
      CRON_CLEANUP: '20 2 * * 1',
      CRON_REPORT: '30 3 * * *',
      CRON_VALIDATE: '40 * * * *',
      CRON_UPDATE_MARKET_DATA: '*/7 * * * *',
      CRON_RECOVER_STALE_JOBS: '*/11 * * * *',
    };

    it('registers all six tasks with the configured cron expressions when SCHEDULES_ENABLED=true', async () => {
      const ref = await boot({ SCHEDULES_ENABLED: 'true', ...crons }, true);
      const jobs = ref.get(SchedulerRegistry).getCronJobs();
      try {
        expect([...jobs.keys()].sort()).toEqual([...TASK_NAMES].sort());
        const sources = Object.fromEntries([...jobs].map(([name, job]) => [name, String(job.cronTime.source)]));
        expect(sources).toEqual({
          'backfill-gaps-incremental': crons.CRON_BACKFILL,
          'cleanup-old-gap-records': crons.CRON_CLEANUP,
          'report-data-completeness': crons.CRON_REPORT,
          'validate-recent-data': crons.CRON_VALIDATE,
          'update-market-data': crons.CRON_UPDATE_MARKET_DATA,
          'recover-stale-jobs': crons.CRON_RECOVER_STALE_JOBS,
        });
        expect([...jobs.values()].every((j) => j.isActive)).toBe(true);
      } finally {
        for (const j of jobs.values()) void j.stop();
      }
    });

    it('registers none when SCHEDULES_ENABLED=false', async () => {
      const ref = await boot({ SCHEDULES_ENABLED: 'false', ...crons }, true);
      expect(ref.get(SchedulerRegistry).getCronJobs().size).toBe(0);
    });

    it(
      '`tasks list --json` shows next run times computed from CANDLEKEEP_NOW ' + 'and the configured expressions',
      async () => {
        const r = await runCli(
          ['tasks', 'list', '--json'],
          env({ CANDLEKEEP_NOW: '2026-01-01T01:30:00Z', CRON_REPORT: '15 9 * * *' }),
        );
        expect(r.code).toBe(0);
        const tasks = r.json<{ tasks: TaskInfo[] }>().tasks;
        const next = Object.fromEntries(tasks.map((t) => [t.name, [t.cron, t.next_runs[0]]]));
        expect(next).toEqual({
          'backfill-gaps-incremental': ['0 2 * * *', '2026-01-01T02:00:00.000Z'],
          // the first Sunday after Thursday 2026-01-01
          'cleanup-old-gap-records': ['0 3 * * 0', '2026-01-04T03:00:00.000Z'],
          'report-data-completeness': ['15 9 * * *', '2026-01-01T09:15:00.000Z'],
          'validate-recent-data': ['0 * * * *', '2026-01-01T02:00:00.000Z'],
          'update-market-data': ['*/15 * * * *', '2026-01-01T01:45:00.000Z'],
          'recover-stale-jobs': ['*/5 * * * *', '2026-01-01T01:35:00.000Z'],
        });
        expect(tasks.find((t) => t.name === 'backfill-gaps-incremental')!.next_runs).toEqual([
          '2026-01-01T02:00:00.000Z',
          '2026-01-02T02:00:00.000Z',
          '2026-01-03T02:00:00.000Z',
        ]);
        const unknown = await runCliInProcess(['tasks', 'run', 'defragment', '--json'], env());
        expect(unknown.code).toBe(2);
        expect(unknown.stdout + unknown.stderr).toContain('cleanup-old-gap-records');
      },
      180_000,
    );
  });

  describe('advisory lock with two processes', () => {
    const spawnCli = (
      args: string[],
    ): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv(env()) });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
        child.on('close', (code) => resolve({ code, stdout, stderr })),
      );
      return { child, done };
    };

    it(
      'a second `tasks run` skips (ran: false) while the first holds the task lock; ' + 'runs after it is released',
      async () => {
        const a = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
        await seed.gap(a, 1440, '2024-01-01', '2024-01-01', 'FILLED', '2024-06-01T00:00Z');
        await seed.gap(a, 1440, '2024-01-02', '2024-01-02', 'MERGED', '2024-06-01T00:00Z');
        // Slow process A down: it takes the task lock, then its DELETE waits on this table lock.
        const blocker = new Client({ connectionString: db.url });
        await blocker.connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query('LOCK TABLE gap_records IN ACCESS EXCLUSIVE MODE');
          const first = spawnCli(['tasks', 'run', 'cleanup-old-gap-records', '--json']);
          try {
            // Wait until A holds the advisory lock of the task (the only advisory lock in this database).
            for (let i = 0; ; i++) {
              const { rows } = await pg.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database ` +
                  `WHERE datname = current_database())`,
              );
              if (rows[0]!.n === 1) break;
              if (first.child.exitCode !== null || i > 1200)
                throw new Error(`process A never took the lock:\n${(await first.done).stderr}`);
              await new Promise((r) => setTimeout(r, 50));
            }
            const second = await runCli(['tasks', 'run', 'cleanup-old-gap-records', '--json'], env());
            expect(second.code).toBe(0);
            expect(second.json<TaskRun>()).toMatchObject({
              task: 'cleanup-old-gap-records',
              ran: false,
              skipped: 'another process is running this task',
            });
            expect(second.json<TaskRun>().result).toBeUndefined();
            expect(first.child.exitCode).toBeNull(); // A is still waiting: B really ran beside it
          } finally {
            await blocker.query('COMMIT');
          }
          const firstOut = await first.done;
          expect(firstOut.code).toBe(0);
          expect(JSON.parse(firstOut.stdout) as TaskRun).toMatchObject({ ran: true, result: { deleted: 2 } });
        } finally {
          await blocker.end();
        }
        // Released: the next run runs (nothing left to delete).
        const third = await runCli(['tasks', 'run', 'cleanup-old-gap-records', '--json'], env());
        expect(third.json<TaskRun>()).toMatchObject({ ran: true, result: { deleted: 0 } });
      },
      180_000,
    ); // three CLI processes: room for a loaded machine
  });
});
