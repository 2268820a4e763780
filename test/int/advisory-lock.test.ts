import { DataSource, QueryRunner } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { AdvisoryLockRepository } from '../../src/database/advisory-lock.repository';
import { LockKeys } from '../../src/database/lock-keys';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

describe('AdvisoryLockRepository', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let locks: AdvisoryLockRepository;
  /** Another session, as another process would hold or probe a lock. */
  let other: QueryRunner;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    locks = new AdvisoryLockRepository(ds);
    other = ds.createQueryRunner();
    await other.connect();
  });
  afterAll(async () => {
    await other.release();
    await ds.destroy();
    await db.drop();
  });

  /** Whether the other session could take the lock `sql` names now (taken and let go at once). */
  const free = async (sql: string, params: unknown[] = []): Promise<boolean> => {
    const [{ locked }] = (await other.query(`SELECT pg_try_advisory_lock(${sql}) AS locked`, params)) as [
      { locked: boolean },
    ];
    if (locked) await other.query(`SELECT pg_advisory_unlock(${sql})`, params);
    return locked;
  };
  const waiting = async (): Promise<number> => {
    const [{ n }] = (await other.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )) as [{ n: number }];
    return n;
  };

  it('holds the keys earlier versions took (so that they and this version exclude each other)', async () => {
    const held = await locks.tryWithLock(LockKeys.series({ assetId: 5, intervalMinutes: 60 }), async (lock) => {
      await lock.hold(LockKeys.content('ab12'));
      await lock.hold(LockKeys.content('ab12')); // held already: nothing more
      return [
        await free(`hashtextextended('candlekeep:fill:5:60', 0)`),
        await free(`hashtextextended('candlekeep:content:ab12', 0)`),
      ];
    });
    expect(held).toEqual({ value: [false, false] });
    expect(await free(`hashtextextended('candlekeep:fill:5:60', 0)`)).toBe(true);
    expect(await free(`hashtextextended('candlekeep:content:ab12', 0)`)).toBe(true);
    await locks.withLock(
      LockKeys.migrations(),
      async () => expect(await free(`hashtext('candlekeep:migrations')`)).toBe(false),
      { waitMs: Number.POSITIVE_INFINITY },
    );
    await locks.tryWithLock(LockKeys.task('cleanup'), async () =>
      expect(await free(`hashtextextended('candlekeep:task:cleanup', 0)`)).toBe(false),
    );
  });

  it('runs nothing when another session holds the key: at once (try), or once the wait ran out', async () => {
    await other.query(`SELECT pg_advisory_lock(hashtextextended('candlekeep:task:report', 0))`);
    try {
      const fn = jest.fn(async () => 1);
      expect(await locks.tryWithLock(LockKeys.task('report'), fn)).toBeUndefined();
      expect(await locks.withLock(LockKeys.task('report'), fn, { waitMs: 50 })).toBeUndefined();
      expect(fn).not.toHaveBeenCalled();
    } finally {
      await other.query(`SELECT pg_advisory_unlock(hashtextextended('candlekeep:task:report', 0))`);
    }
  });

  it('waits as long as it takes when asked to, and runs once the other session lets go', async () => {
    await other.query(`SELECT pg_advisory_lock(hashtextextended('candlekeep:fill:6:60', 0))`);
    const run = locks.withLock(LockKeys.series({ assetId: 6, intervalMinutes: 60 }), async () => 'ran', {
      waitMs: Number.POSITIVE_INFINITY,
    });
    while ((await waiting()) === 0) await new Promise((r) => setImmediate(r));
    await other.query(`SELECT pg_advisory_unlock(hashtextextended('candlekeep:fill:6:60', 0))`);
    expect(await run).toEqual({ value: 'ran' });
  });

  it('a transaction lock is held to the end of its transaction, in a key space apart from the text keys', async () => {
    const series = { assetId: 7, intervalMinutes: 60 };
    await locks.tryWithLock(LockKeys.series(series), () =>
      ds.transaction(async (em) => {
        await locks.lockForTransaction(em, LockKeys.coverage(series));
        expect(await free('$1::int, $2::int', [7, 60])).toBe(false);
      }),
    );
    expect(await free('$1::int, $2::int', [7, 60])).toBe(true);
  });
});
