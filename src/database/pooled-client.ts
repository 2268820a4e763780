import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';

/** Runs `fn` with one pooled connection of the data source's driver (for COPY), released after. */
export async function withPooledClient<T>(dataSource: DataSource, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    return await fn((await runner.connect()) as PoolClient);
  } finally {
    await runner.release();
  }
}
