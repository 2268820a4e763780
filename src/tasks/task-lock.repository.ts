import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * One PostgreSQL session advisory lock per task name, held on a dedicated
 * connection for the run: among several replicas exactly one runs a
 * scheduled task; the others see the lock taken and skip.
 */
@Injectable()
export class TaskLockRepository {
  constructor(private readonly dataSource: DataSource) {}

  async withTaskLock<T>(task: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `candlekeep:task:${task}`;
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [
        key,
      ])) as Array<{
        locked: boolean;
      }>;
      if (!locked) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
      }
    } finally {
      await runner.release();
    }
  }
}
