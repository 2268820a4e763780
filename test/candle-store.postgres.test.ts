import { DataSource } from 'typeorm';
import { PostgresCandleStore } from '../src/candles/postgres-candle-store';
import { dataSourceOptions } from '../src/database/data-source-options';
import { candleStoreContract } from './candle-store.contract';
import { createTestDatabase } from './helpers/test-database';

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
      const [row] = await ds.query(`INSERT INTO assets (symbol, base, quote, native_symbol) VALUES ($1, $2, 'USD', $3) RETURNING id`, [
        symbol,
        `T${n}`,
        `T${n}USD`,
      ]);
      return { assetId: row.id as number, symbol, intervalMinutes: 60 };
    },
    async teardown() {
      await ds.destroy();
      await db.drop();
    },
  };
});
