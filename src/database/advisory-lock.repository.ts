import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { LockKey, sameLockKey } from './lock-keys';
import { isLockNotAvailable } from './pg-errors';

export interface LockOptions {
  /**
   * How long to wait for another process to release the lock: 0 tries once,
   * Infinity waits as long as it takes. A lock not had in time runs nothing.
   */
  waitMs: number;
}

/**
 * A session lock being held: further keys can be taken with it once they are known (e.g. a file's content, after
 * reading it).
 */
export interface HeldLock {
  /**
   * Takes `key` too on the lock's session, waiting as long as it takes; released with the lock. No deadlock:
   * a further key (a content key) is only ever taken while holding a series' claim, and a holder of one never
   * waits for a series.
   */
  hold(key: LockKey): Promise<void>;
}

/** The lock functions' arguments for a key (one hashed bigint, or two int4), as SQL and its parameters. */
function keyArgs(key: LockKey): { sql: string; params: Array<string | number> } {
  switch (key.space) {
    case 'text':
      return { sql: 'hashtextextended($1, 0)', params: [key.text] };
    case 'text32':
      return { sql: 'hashtext($1)', params: [key.text] };
    case 'pair':
      return { sql: '$1::int, $2::int', params: [key.high, key.low] };
  }
}

/**
 * Cross-process locks: PostgreSQL advisory locks under the keys of LockKeys.
 * A session lock (withLock, tryWithLock) is held on a connection of its own
 * for as long as its work runs, so the work's own queries, on pooled
 * connections, are not tied to it; a transaction lock (lockForTransaction)
 * ends with the transaction it is taken in.
 */
@Injectable()
export class AdvisoryLockRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs fn holding `key` if no other process holds it now; undefined without running it otherwise. */
  tryWithLock<T>(key: LockKey, fn: (lock: HeldLock) => Promise<T>): Promise<{ value: T } | undefined> {
    return this.withLock(key, fn, { waitMs: 0 });
  }

  /**
   * Runs fn holding `key` (and whatever keys fn holds with it), waiting up to
   * `waitMs` for another process to release it; undefined without running fn
   * when the wait ran out.
   */
  async withLock<T>(
    key: LockKey,
    fn: (lock: HeldLock) => Promise<T>,
    opts: LockOptions,
  ): Promise<{ value: T } | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const held: LockKey[] = [];
    try {
      if (!(await this.take(runner, key, opts.waitMs))) return undefined;
      held.push(key);
      const lock: HeldLock = {
        hold: async (further) => {
          if (held.some((k) => sameLockKey(k, further))) return;
          await this.take(runner, further, Number.POSITIVE_INFINITY);
          held.push(further);
        },
      };
      return { value: await fn(lock) };
    } finally {
      // A failed unlock means a lost session, which took its locks with it.
      for (const k of held.reverse()) {
        const { sql, params } = keyArgs(k);
        await runner.query(`SELECT pg_advisory_unlock(${sql})`, params).catch(() => undefined);
      }
      await runner.release();
    }
  }

  /**
   * Takes `key` inside the transaction of `manager` (a QueryRunner's: its
   * `manager`), waiting as long as it takes; released when the transaction ends.
   */
  async lockForTransaction(manager: EntityManager, key: LockKey): Promise<void> {
    const { sql, params } = keyArgs(key);
    await manager.query(`SELECT pg_advisory_xact_lock(${sql})`, params);
  }

  private async take(runner: QueryRunner, key: LockKey, waitMs: number): Promise<boolean> {
    const { sql, params } = keyArgs(key);
    if (waitMs <= 0) {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${sql}) AS locked`, params)) as [
        { locked: boolean },
      ];
      return locked;
    }
    // lock_timeout bounds the wait (0 = none); past it the lock is "not available".
    await runner.query(`SELECT set_config('lock_timeout', $1, false)`, [
      Number.isFinite(waitMs) ? `${Math.ceil(waitMs)}ms` : '0',
    ]);
    try {
      await runner.query(`SELECT pg_advisory_lock(${sql})`, params);
      return true;
    } catch (e) {
      if (isLockNotAvailable(e)) return false;
      throw e;
    } finally {
      await runner.query(`SELECT set_config('lock_timeout', '0', false)`).catch(() => undefined);
    }
  }
}
