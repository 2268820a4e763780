import { DataSource } from 'typeorm';
import { PostgresCandleStore } from '../../src/candles/postgres-candle-store';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { candleStoreAggregationContract, candleStoreContract, CandleStoreFixture } from './candle-store.contract';
import { CandleStore } from '../../src/candles/candle-store';
import { CachedCandleStore } from '../../src/candles/cached-candle-store';
import { CandleWriteVersionRepository } from '../../src/candles/candle-write-version.repository';
import { createTestDatabase } from '../helpers/test-database';
import { BucketSpec, fixedBucket } from '../../src/common/aggregation-window';

/** The contract's fixture over a fresh test database; `wrap` decorates the store (the aggregate cache). */
async function postgresFixture(wrap: (store: CandleStore, ds: DataSource) => CandleStore): Promise<CandleStoreFixture> {
  const db = await createTestDatabase();
  const ds = new DataSource(dataSourceOptions(db.url));
  await ds.initialize();
  let n = 0;
  return {
    store: wrap(new PostgresCandleStore(ds), ds),
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
}

candleStoreContract('postgres', () => postgresFixture((store) => store));
candleStoreAggregationContract('postgres behind the aggregate cache', () =>
  postgresFixture((store, ds) => new CachedCandleStore(store, new CandleWriteVersionRepository(ds), 64 << 20)),
);

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

describe('postgres aggregate', () => {
  it("buckets in UTC whatever the session's time zone (timestamptz column; Pacific/Chatham is UTC+13:45)", async () => {
    const db = await createTestDatabase();
    const utc = new DataSource({ ...dataSourceOptions(db.url), extra: { max: 1, options: '-c TimeZone=UTC' } });
    const chatham = new DataSource({
      ...dataSourceOptions(db.url),
      extra: { max: 1, options: '-c TimeZone=Pacific/Chatham' },
    });
    await Promise.all([utc.initialize(), chatham.initialize()]);
    try {
      const [{ zone }] = await chatham.query(`SELECT current_setting('TimeZone') AS zone`);
      expect(zone).toBe('Pacific/Chatham');
      const [row] = await utc.query(
        `INSERT INTO assets (symbol, base, quote, native_symbol) VALUES ('TZ-USD-SPOT', 'TZ', 'USD', 'TZUSD') RETURNING id`,
      );
      const series = { assetId: row.id as number, symbol: 'TZ-USD-SPOT', intervalMinutes: 60 };
      // 2024-02-28 00:00 → 2024-03-06 23:00 UTC, every hour: a month end, a Monday (03-04), a Thursday (02-29).
      const from = Date.UTC(2024, 1, 28) / 1000;
      const candles = Array.from({ length: 8 * 24 }, (_, i) => {
        const p = 100 + i;
        return { ts: from + i * 3600, open: p, high: p + 1, low: p - 1, close: p, vwap: null, volume: 1, trades: 1 };
      });
      await new PostgresCandleStore(utc).upsert(series, candles, 'csv');
      const span = { from, to: from + 8 * 86_400 - 3600 };
      const starts = async (ds: DataSource, spec: BucketSpec) =>
        (await new PostgresCandleStore(ds).aggregate(series, span, spec)).map((b) => [
          new Date(b.ts * 1000).toISOString(),
          b.candles,
        ]);
      const expected: Array<[BucketSpec, Array<[string, number]>]> = [
        [
          { kind: 'month' },
          [
            ['2024-02-01T00:00:00.000Z', 48],
            ['2024-03-01T00:00:00.000Z', 144],
          ],
        ],
        [
          { kind: 'week', start: 'monday' },
          [
            ['2024-02-26T00:00:00.000Z', 120],
            ['2024-03-04T00:00:00.000Z', 72],
          ],
        ],
        [
          { kind: 'week', start: 'thursday' },
          [
            ['2024-02-22T00:00:00.000Z', 24],
            ['2024-02-29T00:00:00.000Z', 168],
          ],
        ],
        [
          fixedBucket(86_400),
          Array.from({ length: 8 }, (_, d) => [new Date((from + d * 86_400) * 1000).toISOString(), 24]),
        ],
      ];
      for (const [spec, buckets] of expected) {
        expect(await starts(chatham, spec)).toEqual(buckets);
        expect(await starts(utc, spec)).toEqual(buckets);
      }
    } finally {
      await Promise.all([utc.destroy(), chatham.destroy()]);
      await db.drop();
    }
  });
});
