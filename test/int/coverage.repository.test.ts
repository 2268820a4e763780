import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DataCoverageRange } from '../../src/entities/data-coverage-range.entity';
import { CoverageRepository } from '../../src/coverage/coverage.repository';
import { AdvisoryLockRepository } from '../../src/database/advisory-lock.repository';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const H = 3600;
const T = Date.UTC(2024, 0, 1) / 1000;

describe('CoverageRepository.mergeIn', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: CoverageRepository;
  let assetId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    repo = new CoverageRepository(ds.getRepository(DataCoverageRange), ds, new AdvisoryLockRepository(ds));
    const [row] = await ds.query(
      `INSERT INTO assets (symbol, base, quote, native_symbol) VALUES ('ETH-USD-SPOT', 'ETH', 'USD', 'XETHZUSD') ` +
        `RETURNING id`,
    );
    assetId = row.id;
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const series = () => ({ assetId, intervalMinutes: 60 });
  const spans = async () =>
    (await repo.listForSeries(series())).map((r) => ({
      from: (r.startTs.getTime() / 1000 - T) / H,
      to: (r.endTs.getTime() / 1000 - T) / H,
      count: r.candleCount,
      sources: r.sources,
    }));

  it('keeps disjoint spans apart, merges touching and overlapping ones, and recounts', async () => {
    const recounted: Array<[number, number]> = [];
    const recount = async (s: { from: number; to: number }) => {
      recounted.push([(s.from - T) / H, (s.to - T) / H]);
      return (s.to - s.from) / H + 1; // as if every slot had a candle
    };
    await repo.mergeIn(series(), { from: T, to: T + 9 * H }, 'csv', recount);
    await repo.mergeIn(series(), { from: T + 20 * H, to: T + 29 * H }, 'csv', recount);
    expect(await spans()).toEqual([
      { from: 0, to: 9, count: 10, sources: ['csv'] },
      { from: 20, to: 29, count: 10, sources: ['csv'] },
    ]);
    await repo.mergeIn(series(), { from: T + 10 * H, to: T + 12 * H }, 'api', recount); // touches [0, 9]
    await repo.mergeIn(series(), { from: T + 25 * H, to: T + 40 * H }, 'trades', recount); // overlaps [20, 29]
    expect(await spans()).toEqual([
      { from: 0, to: 12, count: 13, sources: ['api', 'csv'] },
      { from: 20, to: 40, count: 21, sources: ['csv', 'trades'] },
    ]);
    await repo.mergeIn(series(), { from: T + 5 * H, to: T + 22 * H }, 'csv', recount); // bridges both
    expect(await spans()).toEqual([{ from: 0, to: 40, count: 41, sources: ['api', 'csv', 'trades'] }]);
    expect(recounted[recounted.length - 1]).toEqual([0, 40]);
  });

  it('serialises concurrent writers of one series into one merged range', async () => {
    const other = { assetId, intervalMinutes: 1440 };
    const D = 86400;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        repo.mergeIn(other, { from: T + i * 2 * D, to: T + (i * 2 + 2) * D }, 'csv', async () => 1),
      ),
    );
    const ranges = await repo.listForSeries(other);
    expect(ranges).toHaveLength(1);
    expect(ranges[0]!.endTs.getTime() / 1000).toBe(T + 16 * D);
  });
});
