import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cleanEnv, ROOT, runCli } from '../helpers/cli';
import { Db, FIXTURES, ingest, IngestOutput, IngestDatabases, writeMinuteFile } from '../helpers/ingest';

const ROWS = 1_000_000;
const T = Date.UTC(2020, 0, 1) / 1000;
const HEARTBEAT_MS = '200';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `candlekeep ingest`; once the ledger shows the big file PROCESSING
 * and the job's heartbeat counted rows of it, calls `midFile` (e.g. SIGKILL).
 */
async function ingestUntilMidFile(
  url: string,
  db: Db,
  dir: string,
  midFile: (child: ChildProcess, jobId: string) => Promise<void>,
): Promise<{ jobId: string; code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [CLI, 'ingest', '--csv', dir, '--no-api', '--json'], {
    cwd: ROOT,
    env: cleanEnv({ DATABASE_URL: url, JOB_HEARTBEAT_MS: HEARTBEAT_MS }),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  try {
    for (let i = 0; i < 600; i++) {
      const rows = await db.rows<{ job_id: string; rows_read: string }>(
        `SELECT j.id AS job_id, j.rows_read FROM ingestion_jobs j JOIN file_ingestion_records f ON f.job_id = j.id
         WHERE j.status = 'RUNNING' AND f.status = 'PROCESSING' AND f.path LIKE '%ETHUSD_1.csv'`,
      );
      if (rows[0] && Number(rows[0].rows_read) > 3000 + 10_000) {
        await midFile(child, rows[0].job_id);
        const [code] = await exited;
        return { jobId: rows[0].job_id, code, stdout };
      }
      await sleep(50);
    }
    throw new Error('the ingest never reached the middle of the big file');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/**
 * Polls until the killed job's heartbeat is stale (older than 3 heartbeats by the wall clock, as candlekeep judges it).
 */
async function untilStale(db: Db, jobId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [job] = await db.rows<{ heartbeat_at: Date | null }>(
      `SELECT heartbeat_at FROM ingestion_jobs WHERE id = $1`,
      [jobId],
    );
    if (!job) throw new Error(`no job ${jobId}`);
    if (job.heartbeat_at === null || Date.now() - job.heartbeat_at.getTime() > 3 * Number(HEARTBEAT_MS)) return;
    await sleep(50);
  }
  throw new Error(`job ${jobId} never went stale`);
}

const ingestAndKill = async (url: string, db: Db, dir: string): Promise<string> =>
  (await ingestUntilMidFile(url, db, dir, async (child) => void child.kill('SIGKILL'))).jobId;

describe('ingest survives kill -9', () => {
  let tmp: string;
  let dir: string;
  const databases = new IngestDatabases();
  const freshDb = () => databases.fresh();

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ck-kill-'));
    dir = join(tmp, 'archive');
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    copyFileSync(join(FIXTURES, 'avkhimen-crypto_trader/XBTUSD_60.csv'), join(dir, 'a', 'XBTUSD_60.csv'));
    await writeMinuteFile(join(dir, 'b', 'ETHUSD_1.csv'), ROWS, T, (i) => i % 13);
  });
  afterAll(async () => {
    await databases.dropAll();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function expectComplete(db: Db): Promise<void> {
    expect(await db.candles('ETH-USD-SPOT', 1)).toBe(ROWS);
    expect(await db.coverage('ETH-USD-SPOT', 1)).toEqual([[T, T + (ROWS - 1) * 60, ROWS]]);
    expect(await db.candles('BTC-USD-SPOT', 60)).toBe(3000);
    const completed = await db.rows<{ path: string; n: string }>(
      `SELECT path, count(*) AS n FROM file_ingestion_records WHERE status = 'COMPLETED' GROUP BY path ORDER BY path`,
    );
    expect(completed.map((r) => [r.path.slice(dir.length), Number(r.n)])).toEqual([
      ['/a/XBTUSD_60.csv', 1],
      ['/b/ETHUSD_1.csv', 1],
    ]);
  }

  it(
    're-running the same command completes the work: no duplicates, the completed file skipped, ' +
      'the interrupted one redone',
    async () => {
      const { url, db } = await freshDb();
      const killed = await ingestAndKill(url, db, dir);
      // The interrupted file's transaction died with the process: nothing of it is stored or covered.
      expect(await db.candles('ETH-USD-SPOT', 1)).toBe(0);
      expect(await db.coverage('ETH-USD-SPOT', 1)).toEqual([]);
      expect(await db.candles('BTC-USD-SPOT', 60)).toBe(3000);

      await untilStale(db, killed);
      const { run, out } = await ingest(url, ['--csv', dir], { JOB_HEARTBEAT_MS: HEARTBEAT_MS });
      expect(run.code).toBe(0);
      expect(out).toMatchObject<Partial<IngestOutput>>({
        status: 'COMPLETED',
        files_total: 2,
        files_skipped: 1,
        files_ingested: 1,
        rows_ingested: ROWS,
      });
      await expectComplete(db);

      const [old] = await db.rows<{ status: string; error: string }>(
        `SELECT status, error FROM ingestion_jobs WHERE id = $1`,
        [killed],
      );
      expect(old).toMatchObject({ status: 'PARTIAL', error: expect.stringMatching(/^abandoned/) });
      const oldFiles = await db.records(killed);
      expect(oldFiles.map((f) => f.status)).toEqual(['COMPLETED', 'FAILED']);
    },
  );

  it('`jobs resume ID` finishes the killed job itself; a later re-run skips everything', async () => {
    const { url, db } = await freshDb();
    const killed = await ingestAndKill(url, db, dir);
    await untilStale(db, killed);
    const list = await runCli(['jobs', 'list', '--json'], { DATABASE_URL: url, JOB_HEARTBEAT_MS: HEARTBEAT_MS });
    expect(list.json<{ jobs: Array<{ job_id: string; status: string; stale: boolean }> }>().jobs).toEqual([
      expect.objectContaining({ job_id: killed, status: 'RUNNING', stale: true }),
    ]);

    const resumed = await runCli(['jobs', 'resume', killed, '--json'], {
      DATABASE_URL: url,
      JOB_HEARTBEAT_MS: HEARTBEAT_MS,
    });
    expect(resumed.code).toBe(0);
    expect(resumed.json<IngestOutput>()).toMatchObject({
      job_id: killed,
      status: 'COMPLETED',
      files_total: 2,
      files_ingested: 2,
      rows_ingested: ROWS + 3000,
    });
    await expectComplete(db);
    expect((await db.records(killed)).map((f) => f.status)).toEqual(['COMPLETED', 'COMPLETED']);

    const again = await ingest(url, ['--csv', dir]);
    expect(again.out).toMatchObject({ files_skipped: 2, rows_read: 0 });
  });

  it(
    'Ctrl-C (SIGINT) mid-file: the file rolled back, the job PARTIAL (not left RUNNING), ' +
      'exit 130 naming `jobs resume ID`, which finishes it',
    async () => {
      const { url, db } = await freshDb();
      const run = await ingestUntilMidFile(url, db, dir, async (child) => void child.kill('SIGINT'));
      expect(run.code).toBe(130);
      const out = JSON.parse(run.stdout) as IngestOutput & { interrupted: string; resume: string };
      expect(out).toMatchObject({
        job_id: run.jobId,
        status: 'PARTIAL',
        interrupted: 'SIGINT',
        resume: `candlekeep jobs resume ${run.jobId}`,
        api_calls: 0,
      });
      expect(await db.candles('ETH-USD-SPOT', 1)).toBe(0);
      expect(await db.coverage('ETH-USD-SPOT', 1)).toEqual([]);
      const [job] = await db.rows<{ status: string; finished_at: Date | null }>(
        `SELECT status, finished_at FROM ingestion_jobs WHERE id = $1`,
        [run.jobId],
      );
      expect(job).toMatchObject({ status: 'PARTIAL', finished_at: expect.any(Date) });
      const files = await db.records(run.jobId);
      expect(files.map((f) => [f.status, f.error])).toEqual([
        ['COMPLETED', null],
        ['FAILED', 'interrupted by SIGINT: rolled back'],
      ]);

      const resumed = await runCli(['jobs', 'resume', run.jobId, '--json'], {
        DATABASE_URL: url,
        JOB_HEARTBEAT_MS: HEARTBEAT_MS,
      });
      expect(resumed.code).toBe(0);
      expect(resumed.json<IngestOutput>()).toMatchObject({ job_id: run.jobId, status: 'COMPLETED' });
      await expectComplete(db);
    },
  );

  it(
    '`jobs cancel ID` stops a running ingest: the current file is rolled back, ' + 'the job ends CANCELLED (exit 1)',
    async () => {
      const { url, db } = await freshDb();
      const run = await ingestUntilMidFile(url, db, dir, async (child, jobId) => {
        // Hold the ingest mid-file while the cancel runs, so that a loaded machine cannot let it finish first.
        child.kill('SIGSTOP');
        try {
          const cancel = await runCli(['jobs', 'cancel', jobId, '--json'], { DATABASE_URL: url });
          expect(cancel.code).toBe(0);
        } finally {
          child.kill('SIGCONT');
        }
      });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ job_id: run.jobId, status: 'CANCELLED' });
      expect(await db.candles('ETH-USD-SPOT', 1)).toBe(0);
      expect((await db.records(run.jobId)).map((f) => [f.status, f.error])).toEqual([
        ['COMPLETED', null],
        ['FAILED', 'cancelled'],
      ]);
    },
  );
});
