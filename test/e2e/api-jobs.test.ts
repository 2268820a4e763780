import { request } from 'node:http';
import { Client } from 'pg';
import type { BackfillSummary } from '../../src/backfill/backfill.service';
import type { JobDetail } from '../../src/ingestion/jobs.service';
import type { TaskRun } from '../../src/tasks/tasks.service';
import { runCliInProcess } from '../helpers/cli-in-process';
import { krakenTestEnv } from '../helpers/kraken-env';
import { Seed } from '../helpers/seed';
import { exited, freePort, RunningServer, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

/** Where the API's routes are: '/api/v1' once ApiModule sets the global prefix. */
const PREFIX = '/api/v1';
/** Kraken's daily archives (XBTUSD, XBTCAD) end 2025-03-31: "now" is just after. */
const NOW = '2025-04-01T00:30:00Z';
/** How late the Kraken test server answers OHLC while a run must stay in hand. */
const SLOW_MS = 3_000;

interface Answer<T> {
  status: number;
  body: T;
}
interface Started {
  job_id: string;
  status: string;
  links: { self: string };
}
interface ErrorBody {
  error: { code: string; message: string };
}

/*
 * The triggers over real HTTP against the built server: backfills and task runs start in the background under the
 * task locks, their jobs are followed, cancelled and stopped by SIGTERM. The Kraken test server serves the real
 * archive rows (test/fixtures/kraken/csv); the CLI run on the same state is the oracle of every result.
 */
describe('HTTP API: ingest triggers, task runs, jobs (the built server, the Kraken test server)', () => {
  let kraken: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;
  let server: RunningServer;
  let base: string;
  const env = () => krakenTestEnv(db.url, kraken.url, NOW, { TRADES_BACKFILL: 'off', LOG_LEVEL: 'error' });

  const call = async <T>(method: string, path: string, body?: object): Promise<Answer<T>> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const started = async (path: string, body: object = {}): Promise<Started> => {
    const r = await call<Started>('POST', path, body);
    expect(r).toEqual({
      status: 202,
      body: { job_id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'RUNNING', links: expect.anything() },
    });
    expect(r.body.links).toEqual({ self: `/api/v1/jobs/${r.body.job_id}` });
    return r.body;
  };
  const refused = async (method: string, path: string, body: object | undefined, status: number, code: string) => {
    const r = await call<ErrorBody>(method, path, body);
    expect({ path, body, status: r.status, code: r.body.error?.code }).toEqual({ path, body, status, code });
    return r.body.error.message;
  };
  /** Polls `probe` every 50 ms until it returns a value (a state reached), for at most a minute. */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never: ${what}\n${server.log()}`);
  };
  const job = async (id: string) => (await call<JobDetail>('GET', `/jobs/${id}`)).body;
  /** The job once its run has ended and been recorded (a cancelled job's duration comes with its run's end). */
  const ended = (id: string) =>
    until(`job ${id} ends`, async () => {
      const j = await job(id);
      return j.status !== 'RUNNING' && j.duration_ms !== null ? j : undefined;
    });
  const cli = async <T>(args: string[]): Promise<T> => {
    const r = await runCliInProcess([...args, '--json'], env());
    expect(r.code).toBe(0);
    return r.json<T>();
  };
  const jobRows = async () =>
    (
      await pg.query<{ kind: string; trigger: string; task: string | null; status: string }>(
        `SELECT kind, trigger, task, status FROM ingestion_jobs ORDER BY created_at`,
      )
    ).rows;
  const gapRows = async () =>
    (
      await pg.query<{ symbol: string; s: string; e: string; status: string }>(
        `SELECT a.symbol, g.start_ts::date::text AS s, g.end_ts::date::text AS e, g.status
       FROM gap_records g JOIN assets a ON a.id = g.asset_id ORDER BY a.symbol, g.start_ts`,
      )
    ).rows;

  /** BTC-USD held to 2025-03-20 and BTC-CAD to 03-29 (daily): one OHLC request fills each series' gap. */
  async function scenario(): Promise<void> {
    await pg.query(`TRUNCATE assets, ingestion_jobs, candles RESTART IDENTITY CASCADE`);
    const seed = new Seed(pg);
    const usd = await seed.asset('BTC-USD-SPOT', 'XXBTZUSD', 'XBTUSD');
    const cad = await seed.asset('BTC-CAD-SPOT', 'XXBTZCAD', 'XBTCAD');
    await seed.asset('ETH-USD-SPOT', 'XETHZUSD', 'ETHUSD'); // no series held
    await seed.coverage(usd, 1440, '2025-01-01', '2025-03-20');
    await seed.coverage(cad, 1440, '2025-01-01', '2025-03-29');
    kraken.resetCounters();
    kraken.clearFaults();
  }

  beforeAll(async () => {
    kraken = await KrakenTestServer.start({ now: NOW });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const port = await freePort();
    // Heartbeats every 200 ms: a cancellation is seen while the run waits for a (slowed) Kraken answer.
    server = startServer({
      ...env(),
      PORT: String(port),
      API_AUTH: 'off',
      SCHEDULES_ENABLED: 'false',
      JOB_HEARTBEAT_MS: '200',
      KRAKEN_UNREACHABLE_AFTER: '3', // one request's attempts (KRAKEN_MAX_RETRIES 2)
      LOG_LEVEL: 'warn',
    });
    await waitForHealth(port, server);
    base = `http://127.0.0.1:${port}${PREFIX}`;
  }, 60_000);
  beforeEach(scenario);
  afterAll(async () => {
    // The SIGTERM test stops it: Nest re-raises the signal, so an exit code or a signal says it is gone.
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    await pg?.end();
    await db?.drop();
    await kraken?.close();
  });

  it(
    'POST /ingest/batch: 202 at once, the backfill runs to COMPLETED in the background; ' +
      'GET /jobs/:id is `jobs show`, the result is what `candlekeep backfill` gives',
    async () => {
      const { job_id } = await started('/ingest/batch', { symbols: ['XBTUSD', 'BTC-CAD'], intervals: [1440] });
      const done = await ended(job_id);
      expect(done).toEqual(await cli(['jobs', 'show', job_id]));
      expect(done).toMatchObject({
        kind: 'backfill',
        trigger: 'api',
        task: null,
        status: 'COMPLETED',
        params: { symbols: ['XBTUSD', 'BTC-CAD'], intervals: [1440], flags: { incremental: false } },
        gaps_detected: 2,
        gaps_filled: 2,
        api_calls: 2,
        error: null,
      });
      expect(await gapRows()).toEqual([
        { symbol: 'BTC-CAD-SPOT', s: '2025-03-30', e: '2025-03-31', status: 'FILLED' },
        { symbol: 'BTC-USD-SPOT', s: '2025-03-21', e: '2025-03-31', status: 'FILLED' },
      ]);
      // The same question to the CLI on the same state gives the same run.
      await scenario();
      const { job_id: cliJob, ...summary } = await cli<BackfillSummary & { job_id: string }>([
        'backfill',
        '--symbols',
        'XBTUSD,BTC-CAD',
        '--intervals',
        '1440',
      ]);
      expect(cliJob).not.toBe(job_id);
      expect(done.result).toEqual(summary);
      expect(summary).toMatchObject({ gaps_filled: 2, total_candles_filled: 13, api_calls: 2 });
    },
  );

  it(
    'POST /ingest/:symbol backfills one asset over a span (start_time extends its expected window, ' +
      'end_time bounds the fill), as `backfill --symbols S --from --to`',
    async () => {
      const span = { intervals: [1440], start_time: '2024-12-01', end_time: 1743206400 }; // end: 2025-03-29
      const { job_id } = await started('/ingest/XXBTZUSD', span);
      const done = await ended(job_id);
      expect(done).toMatchObject({
        status: 'COMPLETED',
        params: { symbols: ['XXBTZUSD'], intervals: [1440], flags: { from: 1733011200, to: 1743206400 } },
      });
      const gaps = await gapRows();
      expect(gaps).toEqual([
        { symbol: 'BTC-USD-SPOT', s: '2024-12-01', e: '2024-12-31', status: 'FILLED' },
        { symbol: 'BTC-USD-SPOT', s: '2025-03-21', e: '2025-03-31', status: 'FILLED' },
      ]);
      await scenario();
      const { job_id: _cliJob, ...summary } = await cli<BackfillSummary & { job_id: string }>([
        'backfill',
        '--symbols',
        'XXBTZUSD',
        '--intervals',
        '1440',
        '--from',
        '2024-12-01',
        '--to',
        '1743206400',
      ]);
      expect(done.result).toEqual(summary);
      expect(await gapRows()).toEqual(gaps);
    },
  );

  it(
    'a second trigger while one runs is 409 TASK_LOCKED; DELETE /jobs/:id cancels it (CANCELLED, stopped after the ' +
      'request in hand); a finished job is 409 JOB_FINISHED; the lock is free again after',
    async () => {
      kraken.delay('OHLC', SLOW_MS);
      const { job_id } = await started('/ingest/batch', { symbols: ['XBTUSD', 'XBTCAD'], intervals: [1440] });
      await until('the first OHLC request', async () => (kraken.requestCount('OHLC') === 1 ? true : undefined));
      expect(await refused('POST', '/ingest/batch', {}, 409, 'TASK_LOCKED')).toMatch(
        /a backfill is running \(it holds the lock of task backfill-gaps-incremental\)/,
      );
      await refused('POST', '/ingest/XBTUSD', { intervals: [60] }, 409, 'TASK_LOCKED');
      await refused('POST', '/tasks/backfill-gaps-incremental/run', undefined, 409, 'TASK_LOCKED');
      expect((await job(job_id)).status).toBe('RUNNING');

      const cancelled = await call<{ job_id: string; status: string }>('DELETE', `/jobs/${job_id}`);
      expect(cancelled).toMatchObject({ status: 200, body: { job_id, status: 'CANCELLED' } });
      const done = await ended(job_id);
      expect(done.status).toBe('CANCELLED');
      // The request in hand was answered and its series filled; the second series was never asked for.
      expect(done.result).toMatchObject({ interrupted: 'jobs cancel', series_processed: 1, api_calls: 1 });
      expect(kraken.requestCount('OHLC')).toBe(1);
      expect(await refused('DELETE', `/jobs/${job_id}`, undefined, 409, 'JOB_FINISHED')).toMatch(
        /already finished \(CANCELLED\)/,
      );

      kraken.delay('OHLC', 0);
      const again = await started('/ingest/batch', { symbols: ['XBTUSD', 'XBTCAD'], intervals: [1440] });
      expect((await ended(again.job_id)).status).toBe('COMPLETED');
      expect((await jobRows()).map((j) => j.status)).toEqual(['CANCELLED', 'COMPLETED']);
    },
  );

  it('a trigger survives its client going away: the socket closed right after the 202, the job completes', async () => {
    kraken.delay('OHLC', 500);
    const body = JSON.stringify({ symbols: ['XBTUSD'], intervals: [1440] });
    const { protocol, hostname, port, pathname } = new URL(`${base}/ingest/batch`);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ protocol, hostname, port, path: pathname, method: 'POST', agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          res.socket.destroy(); // gone, while the backfill waits for Kraken
          resolve({ status: res.statusCode ?? 0, text });
        });
      });
      req.on('error', reject);
      req.setHeader('content-type', 'application/json');
      req.end(body);
    });
    expect(answer.status).toBe(202);
    const { job_id } = JSON.parse(answer.text) as Started;
    expect((await job(job_id)).status).toBe('RUNNING');
    expect(await ended(job_id)).toMatchObject({ status: 'COMPLETED', gaps_filled: 1, api_calls: 1 });
    expect(await gapRows()).toEqual([{ symbol: 'BTC-USD-SPOT', s: '2025-03-21', e: '2025-03-31', status: 'FILLED' }]);
  });

  it('POST /tasks/:name/run runs the task in the background, recorded as `tasks run` records it', async () => {
    const { job_id } = await started('/tasks/validate-recent-data/run');
    const done = await ended(job_id);
    expect(done).toMatchObject({ kind: 'validate', trigger: 'api', task: 'validate-recent-data', status: 'COMPLETED' });
    const run = await cli<TaskRun>(['tasks', 'run', 'validate-recent-data']);
    expect(done.result).toEqual(run.result);
    expect(done.result).toMatchObject({
      checked: 2,
      stale: [
        { symbol: 'BTC-CAD-SPOT', hours_behind: 48 },
        { symbol: 'BTC-USD-SPOT', hours_behind: 264 },
      ],
    });
    expect(await jobRows()).toEqual([
      { kind: 'validate', trigger: 'api', task: 'validate-recent-data', status: 'COMPLETED' },
      { kind: 'validate', trigger: 'cli', task: 'validate-recent-data', status: 'COMPLETED' },
    ]);
    expect(await refused('POST', '/tasks/defragment/run', undefined, 404, 'UNKNOWN_TASK')).toContain(
      'cleanup-old-gap-records',
    );
  });

  it('bad input is 400, unknown symbols and jobs 404, and none of them makes a job', async () => {
    await refused('POST', '/ingest/batch', { intervals: [7] }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { lookback_days: 0 }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { max_calls: -1 }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { symbols: [] }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { tier: 'TIER9' }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { colour: 'red' }, 400, 'BAD_REQUEST');
    await refused('POST', '/ingest/batch', { symbols: ['DOGE-EUR'] }, 404, 'UNKNOWN_SYMBOL');
    await refused('POST', '/ingest/DOGE-EUR', {}, 404, 'UNKNOWN_SYMBOL');
    expect(await refused('POST', '/ingest/ETH-USD', {}, 400, 'SERIES_SELECTION')).toMatch(/no series held/);
    const span = { start_time: '2025-03-01', end_time: '2025-01-01' };
    expect(await refused('POST', '/ingest/XBTUSD', span, 400, 'USAGE')).toMatch(/start_time .* is after end_time/);
    expect(await refused('POST', '/ingest/XBTUSD', { start_time: 'soon' }, 400, 'USAGE')).toMatch(/^start_time:/);
    await refused('GET', '/jobs/00000000-0000-4000-8000-000000000000', undefined, 404, 'JOB_NOT_FOUND');
    await refused('DELETE', '/jobs/00000000-0000-4000-8000-000000000000', undefined, 404, 'JOB_NOT_FOUND');
    await refused('GET', '/jobs/zz', undefined, 400, 'USAGE');
    expect(await jobRows()).toEqual([]);
  });

  it('a background run that throws is FAILED with the error, logged, and the server goes on', async () => {
    kraken.fault('OHLC', { kind: 'reset', times: 10 });
    const { job_id } = await started('/ingest/batch', { symbols: ['XBTUSD'], intervals: [1440] });
    const done = await ended(job_id);
    expect(done).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/Kraken unreachable/) });
    expect(server.log()).toContain(`backfill: job ${job_id} failed`);
    expect(server.child.exitCode).toBeNull();
    kraken.clearFaults();
    const again = await started('/ingest/batch', { symbols: ['XBTUSD'], intervals: [1440] });
    expect((await ended(again.job_id)).status).toBe('COMPLETED');
  });

  // Last: the server stops.
  it('SIGTERM stops a running API-started backfill at its next safe point: PARTIAL, interrupted SIGTERM', async () => {
    kraken.delay('OHLC', SLOW_MS);
    const { job_id } = await started('/ingest/batch', { symbols: ['XBTUSD', 'XBTCAD'], intervals: [1440] });
    await until('the first OHLC request', async () => (kraken.requestCount('OHLC') === 1 ? true : undefined));
    server.child.kill('SIGTERM');
    await exited(server.child);
    const { rows } = await pg.query<{ status: string; result: BackfillSummary; finished_at: Date | null }>(
      `SELECT status, result, finished_at FROM ingestion_jobs WHERE id = $1`,
      [job_id],
    );
    expect(rows).toEqual([
      {
        status: 'PARTIAL',
        result: expect.objectContaining({ interrupted: 'SIGTERM', series_processed: 1, api_calls: 1 }),
        finished_at: expect.any(Date),
      },
    ]);
    expect(kraken.requestCount('OHLC')).toBe(1);
    expect(server.log()).toMatch(/SIGTERM: stopping 1 run\(s\) at their next safe point/);
  });
});
