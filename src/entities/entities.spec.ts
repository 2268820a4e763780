import { FileIngestionRecord } from './file-ingestion-record.entity';
import { GapRecord } from './gap-record.entity';
import { IngestionJob } from './ingestion-job.entity';
import { StateTransitionError } from './state-transition.error';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:10:00Z');

function gap(): GapRecord {
  return Object.assign(new GapRecord(), { id: 1, status: 'DETECTED', attempts: 0, candlesFilled: 0, cursor: null });
}

function file(): FileIngestionRecord {
  return Object.assign(new FileIngestionRecord(), { path: 'XBTUSD_60.csv', status: 'PENDING', checkpoint: null });
}

describe('IngestionJob transitions', () => {
  it('runs PENDING → RUNNING → COMPLETED with heartbeats', () => {
    const job = IngestionJob.create('ingest', { paths: ['a.zip'] });
    job.start(t0);
    expect(job).toMatchObject({ status: 'RUNNING', startedAt: t0, heartbeatAt: t0 });
    job.heartbeat(t1);
    expect(job.heartbeatAt).toBe(t1);
    job.finish(t1);
    expect(job).toMatchObject({ status: 'COMPLETED', finishedAt: t1 });
    expect(() => job.heartbeat(t1)).toThrow(StateTransitionError);
    expect(() => job.start(t1)).toThrow(StateTransitionError);
  });

  it('finishes PARTIAL when rows were rejected, files failed or the run was incomplete', () => {
    for (const setup of [(j: IngestionJob) => j.add('rowsRejected', 1), (j: IngestionJob) => j.add('filesFailed', 1)]) {
      const job = IngestionJob.create('ingest', {});
      job.start(t0);
      setup(job);
      job.finish(t1);
      expect(job.status).toBe('PARTIAL');
    }
    const job = IngestionJob.create('ingest', {});
    job.start(t0);
    job.finish(t1, true);
    expect(job.status).toBe('PARTIAL');
  });

  it('detects a stale heartbeat, marks it abandoned and lets it resume', () => {
    const job = IngestionJob.create('ingest', {});
    job.start(t0);
    expect(job.isStale(new Date(t0.getTime() + 60_000), 5 * 60_000)).toBe(false);
    expect(job.isStale(new Date(t0.getTime() + 6 * 60_000), 5 * 60_000)).toBe(true);
    job.markAbandoned(t1);
    expect(job.status).toBe('PARTIAL');
    expect(job.isResumable).toBe(true);
    job.start(t1);
    expect(job).toMatchObject({ status: 'RUNNING', startedAt: t0, error: null });
  });

  it('cannot cancel or fail a finished job', () => {
    const job = IngestionJob.create('ingest', {});
    job.cancel(t0);
    expect(job.status).toBe('CANCELLED');
    expect(() => job.fail(t1, 'x')).toThrow(StateTransitionError);
    expect(() => job.cancel(t1)).toThrow(StateTransitionError);
  });
});

describe('FileIngestionRecord transitions', () => {
  it('completes only from PROCESSING with counts that add up', () => {
    const f = file();
    const counts = { rowsRead: 10, rowsIngested: 9, rowsRejected: 1, firstTs: t0, lastTs: t1 };
    expect(() => f.complete(counts)).toThrow(StateTransitionError);
    f.startProcessing();
    expect(() => f.complete({ ...counts, rowsRejected: 0 })).toThrow(/rows_read 10 != ingested 9 \+ rejected 0/);
    f.complete(counts);
    expect(f).toMatchObject({ status: 'COMPLETED', rowsRead: 10, firstTs: t0, lastTs: t1 });
    expect(() => f.startProcessing()).toThrow(StateTransitionError);
    expect(() => f.fail('late')).toThrow(StateTransitionError);
  });

  it('records failures and duplicates', () => {
    const f = file();
    f.startProcessing();
    f.fail('too many rejected rows');
    expect(f).toMatchObject({ status: 'FAILED', error: 'too many rejected rows' });
    const d = file();
    d.skipDuplicate('a'.repeat(64));
    expect(d.status).toBe('SKIPPED_DUPLICATE');
  });
});

describe('GapRecord transitions', () => {
  it('refuses to mark a gap FILLED with zero candles', () => {
    const g = gap();
    g.startFilling();
    expect(() => g.markFilled(0, t1)).toThrow(StateTransitionError);
    expect(g.status).toBe('FILLING');
    g.markFilled(12, t1);
    expect(g).toMatchObject({ status: 'FILLED', candlesFilled: 12, resolvedAt: t1, attempts: 1 });
    expect(g.isResolved).toBe(true);
  });

  it('keeps a resolved gap resolved', () => {
    const g = gap();
    g.markVerifiedEmpty(t1, 'OHLC response spans it with no trades');
    expect(g.isResolved).toBe(true);
    for (const act of [
      () => g.startFilling(),
      () => g.markFailed('x'),
      () => g.markPartial(1, 'x'),
      () => g.ignore(t1, 'x'),
    ]) {
      expect(act).toThrow(StateTransitionError);
    }
  });

  it('tracks partial fills with a cursor, failures and unfillable reasons', () => {
    const g = gap();
    g.startFilling();
    g.markPartial(5, 'budget exhausted', '1700000000000000000');
    expect(g).toMatchObject({ status: 'PARTIAL', candlesFilled: 5, cursor: '1700000000000000000' });
    g.markFailed('HTTP 500');
    expect(g).toMatchObject({ status: 'FAILED', lastError: 'HTTP 500' });
    expect(g.isResolved).toBe(false);
    expect(() => g.markUnfillable('')).toThrow(StateTransitionError);
    g.markUnfillable('older than the OHLC window and trades backfill is off');
    expect(g.status).toBe('UNFILLABLE');
  });

  it('releases a stuck FILLING gap back to DETECTED only from FILLING', () => {
    const g = gap();
    expect(() => g.releaseStuck()).toThrow(StateTransitionError);
    g.startFilling();
    g.releaseStuck();
    expect(g.status).toBe('DETECTED');
  });

  it(
    'an attempt that never reached the source is undone: ' + 'status and attempts as before, unless its cursor moved',
    () => {
      const failed = Object.assign(gap(), { status: 'FAILED', attempts: 2, lastError: 'HTTP 500' });
      expect(() => failed.abandonAttempt()).toThrow(StateTransitionError);
      failed.startFilling();
      failed.abandonAttempt();
      expect(failed).toMatchObject({ status: 'FAILED', attempts: 2, lastError: 'HTTP 500' });
      expect(() => failed.abandonAttempt()).toThrow(StateTransitionError); // once per attempt

      const paged = gap();
      paged.startFilling();
      paged.cursor = '1711843200000000000';
      paged.abandonAttempt();
      expect(paged).toMatchObject({ status: 'PARTIAL', attempts: 1, cursor: '1711843200000000000' });
    },
  );
});
