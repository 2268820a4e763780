import { randomBytes } from 'node:crypto';
import { QuestDbCandleStore } from '../../src/candles/questdb/questdb-candle-store';
import { DataSource } from 'typeorm';
import { candleStoreAggregationContract, candleStoreContract, CandleStoreFixture } from './candle-store.contract';
import { CachedCandleStore } from '../../src/candles/cached-candle-store';
import { CandleWriteVersionRepository } from '../../src/candles/candle-write-version.repository';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase } from '../helpers/test-database';
import { dropQuestDbTable, QUESTDB, reportQuestDbSkipped } from '../helpers/candle-stores';
import { SeriesRef } from '../../src/common/series';

/**
 * The CandleStore contract against a live QuestDB, when QUESTDB_ILP and
 * QUESTDB_PG_URL point at one (`npm run questdb:start`; `.ci/run` does);
 * otherwise a visible skip. The run writes to a table of its own, dropped at
 * the end.
 */
if (QUESTDB) {
  const { ilp, pgUrl } = QUESTDB;
  /** The contract's fixture on a table of its own; `cached`: behind the aggregate cache, versions in a test database. */
  const questdbFixture = async (cached: boolean): Promise<CandleStoreFixture> => {
    const table = `contract_${randomBytes(4).toString('hex')}`;
    // Small batches so that the bulk-load test spans several ILP requests.
    const inner = new QuestDbCandleStore({ ilp, pgUrl, table, batchRows: 1000, visibilityTimeoutMs: 60_000 });
    await inner.ensureSchema();
    const db = cached ? await createTestDatabase() : undefined;
    const ds = db ? new DataSource(dataSourceOptions(db.url)) : undefined;
    await ds?.initialize();
    const store = ds ? new CachedCandleStore(inner, new CandleWriteVersionRepository(ds), 64 << 20) : inner;
    const made: SeriesRef[] = [];
    return {
      store,
      newSeries: async () => {
        const series = { assetId: made.length + 1, symbol: `CKTEST${made.length + 1}-USD-SPOT`, intervalMinutes: 60 };
        made.push(series);
        return series;
      },
      teardown: async () => {
        await inner.onApplicationShutdown();
        await dropQuestDbTable(table);
        await ds?.destroy();
        await db?.drop();
      },
    };
  };
  candleStoreContract('questdb', () => questdbFixture(false));
  candleStoreAggregationContract('questdb behind the aggregate cache', () => questdbFixture(true));
} else {
  reportQuestDbSkipped('CandleStore contract');
  describe.skip('CandleStore contract: questdb (QUESTDB_ILP and QUESTDB_PG_URL not set)', () => {
    it('runs the contract against a live QuestDB', () => {
      expect(QUESTDB).toBeDefined();
    });
  });
}
