import { DataSource } from 'typeorm';
import { PostgresCandleStore } from '../../src/candles/postgres-candle-store';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { candleStoreContract } from './candle-store.contract';
import { createTestDatabase } from '../helpers/test-database';

candleStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  const ds = new DataSource(dataSourceOptions(db.url));
  await ds.initialize();
  let n = 0;
  return {
    store: new PostgresCandleStore(ds),
    async newSeries() {
      n++;
      const symbol = `T${n}-USD-SPOT`;
      const [row] = await ds.query(
        `INSERT INTO assets (symbol, base, quote, native_symbol) VALUES ($1, $2, 'USD', $3) RETURNING id`,
        [symbol, `T${n}`, `T${n}USD`],
      );
      return { assetId: row.id as number, symbol, intervalMinutes: 60 };
    },
    async teardown() {
      await ds.destroy();
      await db.drop();
    },
  };
});

describe('postgres bulk writer', () => {
  it(
    'refuses a series of a missing asset before writing anything ' +
      '(one asset lock stands in for the per-row foreign key)',
    async () => {
      const db = await createTestDatabase();
      // one connection: the refused writer's is reused next
      const ds = new DataSource({ ...dataSourceOptions(db.url), extra: { max: 1 } });
      await ds.initialize();
      try {
        const store = new PostgresCandleStore(ds);
        await expect(
          store.bulkWriter({ assetId: 424242, symbol: 'NOPE-USD-SPOT', intervalMinutes: 60 }, 'csv'),
        ).rejects.toThrow('candle store (postgres): asset 424242 does not exist');
        // transaction start and statement times must differ if one were left open
        await new Promise((r) => setTimeout(r, 20));
        const [{ n, outside }] = await ds.query(
          `SELECT count(*)::int AS n, now() = statement_timestamp() AS outside FROM candles`,
        );
        expect(n).toBe(0);
        expect(outside).toBe(true); // the connection went back to the pool without an open transaction
      } finally {
        await ds.destroy();
        await db.drop();
      }
    },
  );
});
