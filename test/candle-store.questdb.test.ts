import { randomBytes } from 'node:crypto';
import { SeriesRef } from '../src/candles/candle-store';
import { QuestDbCandleStore } from '../src/candles/questdb/questdb-candle-store';
import { candleStoreContract } from './candle-store.contract';

/**
 * The CandleStore contract against a live QuestDB, when QUESTDB_ILP and
 * QUESTDB_PG_URL point at one (e.g. `docker run -p 9000:9000 -p 8812:8812
 * questdb/questdb`); otherwise a visible skip. Test series use symbols unique
 * to the run, so an existing assetprice table is shared harmlessly.
 */
const ilp = process.env.QUESTDB_ILP;
const pgUrl = process.env.QUESTDB_PG_URL;

if (ilp && pgUrl) {
  candleStoreContract('questdb', async () => {
    // Small batches so that the bulk-load test spans several ILP requests.
    const store = new QuestDbCandleStore({ ilp, pgUrl, batchRows: 1000, visibilityTimeoutMs: 60_000 });
    await store.ensureSchema();
    const run = randomBytes(4).toString('hex').toUpperCase();
    const made: SeriesRef[] = [];
    return {
      store,
      newSeries: async () => {
        const series = { assetId: made.length + 1, symbol: `CKTEST${run}N${made.length + 1}-USD-SPOT`, intervalMinutes: 60 };
        made.push(series);
        return series;
      },
      teardown: async () => {
        for (const s of made) await store.deleteRange(s, { from: 0, to: 4_102_444_800 });
        await store.onApplicationShutdown();
      },
    };
  });
} else {
  process.stderr.write(
    'SKIPPED CandleStore contract: questdb — set QUESTDB_ILP and QUESTDB_PG_URL to run it against a live QuestDB ' +
      "(e.g. QUESTDB_ILP='http::addr=127.0.0.1:9000;' QUESTDB_PG_URL=postgres://admin:quest@127.0.0.1:8812/qdb)\n",
  );
  describe.skip('CandleStore contract: questdb (QUESTDB_ILP and QUESTDB_PG_URL not set)', () => {
    it('runs the contract against a live QuestDB', () => {
      expect(ilp && pgUrl).toBeTruthy();
    });
  });
}
