import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GapView } from '../../src/gaps/gaps.service';
import type { UnifiedIngestResult } from '../../src/pipeline/unified-ingest.service';
import type { JobDetail } from '../../src/ingestion/jobs.service';
import { CliResult } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES, t } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

const NOW = '2025-04-01T00:00:00Z';

/**
 * `jobs resume` of an ingest job runs what `ingest` runs: the archives it had left, then gap detection, the
 * backfill (with the options the job was started with) and the report over the series it touched.
 */
describe('jobs resume of an ingest job', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let dir: string;

  const run = (args: string[]): Promise<CliResult> =>
    runCliInProcess([...args, '--json'], krakenTestEnv(db.url, server.url, NOW));
  const gaps = async (kind?: 'gap' | 'suspect') =>
    (await run(['gaps', '--status', 'all', ...(kind ? ['--kind', kind] : [])]))
      .json<{ gaps: GapView[] }>()
      .gaps.map((g) => [
        g.symbol,
        g.interval,
        g.start_ts.slice(0, 16),
        g.end_ts.slice(0, 16),
        g.missing_intervals,
        g.status,
      ]);
  /** XBTUSD 720m up to 2025-01-10: against NOW, one 162-candle gap at its end, inside the OHLC window. */
  const rows = () =>
    readFileSync(join(FIXTURES, 'XBTUSD_720.csv'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => Number(l.slice(0, l.indexOf(','))) < t('2025-01-10'));
  /** The file first holds the rows in a Kraken trades shape (time,price,volume): it fails, the job is PARTIAL. */
  const failingFile = (name: string): string => {
    mkdirSync(join(dir, name), { recursive: true });
    const path = join(dir, name, 'XBTUSD_720.csv');
    writeFileSync(
      path,
      rows()
        .map((l) => l.split(',').slice(0, 3).join(','))
        .join('\n') + '\n',
    );
    return path;
  };
  const fix = (path: string) => writeFileSync(path, rows().join('\n') + '\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-resume-'));
    server = await KrakenTestServer.start({ now: NOW });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  /** The gap half of a job's output: what it detected, filled and spent. */
  const gapHalf = (r: UnifiedIngestResult) => ({
    gaps_detected: r.gaps_detected,
    gaps_filled: r.gaps_filled,
    api_calls: r.api_calls,
    completeness: r.completeness,
  });

  it('detects and backfills the gaps of the series its resumed files loaded, as a fresh ingest does', async () => {
    const path = failingFile('api');
    const first = await run(['ingest', '--csv', join(dir, 'api')]);
    expect(first.code).toBe(1);
    const job = first.json<UnifiedIngestResult>();
    expect(job).toMatchObject({ status: 'PARTIAL', files_failed: 1, gaps_detected: 0 });
    expect(await gaps()).toEqual([]);

    fix(path);
    server.resetCounters();
    const resumed = await run(['jobs', 'resume', job.job_id]);
    const out = resumed.json<UnifiedIngestResult>();
    expect(out).toMatchObject({ job_id: job.job_id, status: 'COMPLETED', files_ingested: 1, files_failed: 0 });
    expect(out).toMatchObject({ gaps_detected: 1, gaps_filled: 1, resume: null });
    expect(out.api_calls).toBeGreaterThan(0);
    expect(server.requestCount()).toBe(out.api_calls);
    expect(await gaps('gap')).toContainEqual([
      'BTC-USD-SPOT',
      720,
      '2025-01-10T00:00',
      '2025-03-31T12:00',
      162,
      'FILLED',
    ]);
    const counters = async (id: string) => {
      const d = (await run(['jobs', 'show', id])).json<JobDetail>();
      return [d.status, d.gaps_detected, d.gaps_filled, d.gaps_unfillable, d.api_calls];
    };
    const resumedJob = await counters(job.job_id);
    expect(resumedJob).toEqual(['COMPLETED', expect.any(Number), expect.any(Number), 0, out.api_calls]);

    // A fresh ingest of the fixed file ends the same: the same records, the same work, the same exit code.
    const resumedGaps = await gaps();
    const own = db;
    db = await createTestDatabase();
    try {
      server.resetCounters();
      const fresh = await run(['ingest', '--csv', join(dir, 'api')]);
      expect(resumed.code).toBe(fresh.code);
      expect(gapHalf(out)).toEqual(gapHalf(fresh.json<UnifiedIngestResult>()));
      expect(resumedGaps).toEqual(await gaps());
      expect(resumedJob).toEqual(await counters(fresh.json<UnifiedIngestResult>().job_id));
    } finally {
      await db.drop();
      db = own;
    }
  });

  it(
    'keeps the options the job was started with: ' + 'after `ingest --no-api` the gaps are detected, no API call',
    async () => {
      const path = failingFile('no-api');
      const first = await run(['ingest', '--csv', join(dir, 'no-api'), '--no-api']);
      expect(first.code).toBe(1);
      const job = first.json<UnifiedIngestResult>();
      expect(job.status).toBe('PARTIAL');

      fix(path);
      server.resetCounters();
      const resumed = await run(['jobs', 'resume', job.job_id]);
      expect(resumed.json<UnifiedIngestResult>()).toMatchObject({
        status: 'COMPLETED',
        gaps_detected: 1,
        gaps_filled: 0,
        api_calls: 0,
      });
      expect(server.requestCount()).toBe(0);
      const found = await gaps();
      expect(found).toContainEqual(['BTC-USD-SPOT', 720, '2025-01-10T00:00', '2025-03-31T12:00', 162, 'DETECTED']);
      expect(found.filter((g) => g[5] === 'FILLED' || g[5] === 'VERIFIED_EMPTY')).toEqual([]);
    },
  );
});
