import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { CandleStore, StoredCandle } from '../../src/candles/candle-store';
import { PostgresCandleStore } from '../../src/candles/postgres-candle-store';
import { QuestDbCandleStore } from '../../src/candles/questdb/questdb-candle-store';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { TestDatabase } from './test-database';
import { Span } from '../../src/common/series';

/**
 * The live QuestDB the tests may use (QUESTDB_ILP and QUESTDB_PG_URL, set by `.ci/run` and `npm run questdb:start`).
 */
export const QUESTDB =
  process.env.QUESTDB_ILP && process.env.QUESTDB_PG_URL
    ? { ilp: process.env.QUESTDB_ILP, pgUrl: process.env.QUESTDB_PG_URL }
    : undefined;

/**
 * Prints the visible SKIPPED line of a QuestDB run that cannot happen here;
 * with CANDLEKEEP_TEST_REQUIRE_QUESTDB=1 (CI) a missing QuestDB is an error instead.
 */
export function reportQuestDbSkipped(what: string): void {
  if (process.env.CANDLEKEEP_TEST_REQUIRE_QUESTDB === '1') {
    throw new Error(`${what}: CANDLEKEEP_TEST_REQUIRE_QUESTDB=1 but QUESTDB_ILP and QUESTDB_PG_URL are not set`);
  }
  process.stderr.write(
    `SKIPPED ${what}: questdb — set QUESTDB_ILP and QUESTDB_PG_URL to run it against a live QuestDB ` +
      '(`eval "$(npm run -s questdb:start)"` starts one)\n',
  );
}

/** Drops a QuestDB table (test tables only) over the PG wire. */
export async function dropQuestDbTable(table: string): Promise<void> {
  if (!QUESTDB) return;
  const client = new Client({ connectionString: QUESTDB.pgUrl });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
  } finally {
    await client.end();
  }
}

/** A candle store an end-to-end test runs candlekeep on, with its own candle table per test database. */
export interface StoreUnderTest {
  kind: 'postgres' | 'questdb';
  /** The environment of a candlekeep process using this store with the test database. */
  env(db: TestDatabase): Record<string, string>;
  /** Reads a series back through the store itself (not its tables), as candlekeep does. */
  readStored(db: TestDatabase, symbol: string, interval: number, span: Span): Promise<StoredCandle[]>;
  /** Drops what the store holds for the test database (QuestDB: its table); the database itself is the test's. */
  drop(db: TestDatabase): Promise<void>;
}

/** One QuestDB table per test database, so that test files running at once never share candles. */
const questdbTable = (db: TestDatabase) => `candles_${db.name}`;

async function withStore<T>(
  db: TestDatabase,
  kind: StoreUnderTest['kind'],
  fn: (store: CandleStore, ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = new DataSource({ ...dataSourceOptions(db.url), extra: { max: 2 } });
  await ds.initialize();
  const store =
    kind === 'postgres'
      ? new PostgresCandleStore(ds)
      : new QuestDbCandleStore({
          ...QUESTDB!,
          table: questdbTable(db),
          batchRows: 50_000,
          visibilityTimeoutMs: 60_000,
        });
  try {
    return await fn(store, ds);
  } finally {
    if (store instanceof QuestDbCandleStore) await store.onApplicationShutdown();
    await ds.destroy();
  }
}

function storeUnderTest(
  kind: StoreUnderTest['kind'],
  env: (db: TestDatabase) => Record<string, string>,
): StoreUnderTest {
  return {
    kind,
    env,
    readStored: (db, symbol, interval, span) =>
      withStore(db, kind, async (store, ds) => {
        const rows = await ds.query<Array<{ id: number }>>(`SELECT id FROM assets WHERE symbol = $1`, [symbol]);
        if (!rows[0]) throw new Error(`no asset ${symbol} in ${db.name}`);
        return store.readStored({ assetId: rows[0].id, symbol, intervalMinutes: interval }, span);
      }),
    drop: async (db) => {
      if (kind === 'questdb') await dropQuestDbTable(questdbTable(db));
    },
  };
}

/**
 * The candle stores end-to-end scenarios run on: postgres always, questdb when
 * a live QuestDB is configured (else `what` gets a visible SKIPPED line).
 */
export function storesUnderTest(what: string): StoreUnderTest[] {
  const stores = [storeUnderTest('postgres', () => ({}))];
  if (QUESTDB) {
    const { ilp, pgUrl } = QUESTDB;
    stores.push(
      storeUnderTest('questdb', (db) => ({
        CANDLE_STORE: 'questdb',
        QUESTDB_ILP: ilp,
        QUESTDB_PG_URL: pgUrl,
        QUESTDB_TABLE: questdbTable(db),
      })),
    );
  } else {
    reportQuestDbSkipped(what);
  }
  return stores;
}
