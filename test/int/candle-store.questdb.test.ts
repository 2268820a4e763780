import { randomBytes } from 'node:crypto';
import { QuestDbCandleStore } from '../../src/candles/questdb/questdb-candle-store';
import { candleStoreContract } from './candle-store.contract';
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
  candleStoreContract('questdb', async () => {
    const table = `contract_${randomBytes(4).toString('hex')}`;
    // Small batches so that the bulk-load test spans several ILP requests.
    const store = new QuestDbCandleStore({ ilp, pgUrl, table, batchRows: 1000, visibilityTimeoutMs: 60_000 });
    await store.ensureSchema();
    const made: SeriesRef[] = [];
    return {
      store,
      newSeries: async () => {
        const series = { assetId: made.length + 1, symbol: `CKTEST${made.length + 1}-USD-SPOT`, intervalMinutes: 60 };
        made.push(series);
        return series;
      },
      teardown: async () => {
        await store.onApplicationShutdown();
        await dropQuestDbTable(table);
      },
    };
  });
} else {
  reportQuestDbSkipped('CandleStore contract');
  describe.skip('CandleStore contract: questdb (QUESTDB_ILP and QUESTDB_PG_URL not set)', () => {
    it('runs the contract against a live QuestDB', () => {
      expect(QUESTDB).toBeDefined();
    });
  });
}
