import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { GapRecord } from '../../src/entities/gap-record.entity';
import { GapRepository } from '../../src/gaps/gap.repository';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const H = 3600;
const T = Date.UTC(2024, 0, 1) / 1000;

function gap(assetId: number, i: number): GapRecord {
  const g = new GapRecord();
  g.assetId = assetId;
  g.intervalMinutes = 60;
  g.startTs = new Date((T + i * 10 * H) * 1000);
  g.endTs = new Date((T + (i * 10 + 4) * H) * 1000);
  g.missingIntervals = 5;
  g.fillability = i % 2 ? 'API_TRADES' : 'ARCHIVE_ONLY';
  g.status = 'DETECTED';
  g.kind = 'gap';
  g.reason = null;
  g.attempts = 0;
  g.lastError = null;
  g.candlesFilled = 0;
  g.cursor = null;
  g.archiveHint = i % 2 ? null : `hint ${i}`;
  g.detectedAt = new Date('2025-01-02T03:04:05.678Z');
  g.resolvedAt = null;
  g.nextAttemptAt = null;
  return g;
}

describe('GapRepository bulk reads and writes', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: GapRepository;
  let assetId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    // the refused insert below would log 100 KB of parameters
    ds = new DataSource({ ...dataSourceOptions(db.url), logging: false });
    await ds.initialize();
    repo = new GapRepository(ds.getRepository(GapRecord), ds);
    const [row] = await ds.query(
      `INSERT INTO assets (symbol, base, quote, native_symbol) ` +
        `VALUES ('ETH-USD-SPOT', 'ETH', 'USD', 'XETHZUSD') RETURNING id`,
    );
    assetId = row.id;
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** One detection run's write: inserts (in batches, as the detector streams them), then updates and resolutions. */
  async function write(
    changes: { resolve: GapRecord[]; update: GapRecord[]; insert: GapRecord[] },
    assetIds = [assetId],
  ): Promise<void> {
    const writer = await repo.changeWriter(assetIds);
    try {
      for (let i = 0; i < changes.insert.length; i += 1000) await writer.insert(changes.insert.slice(i, i + 1000));
    } catch (e) {
      await writer.abort();
      throw e;
    }
    await writer.commit(changes);
  }

  it('inserts many records with their ids, reads them back equal, then resolves and re-spans in one go', async () => {
    const gaps = Array.from({ length: 2500 }, (_, i) => gap(assetId, i));
    gaps[3]!.reason = 'tab\there, quote " and \\ backslash';
    gaps[5]!.lastError = 'EService:Unavailable — überlastet ✓';
    gaps[7]!.cursor = '1735689600123456789';
    gaps[9]!.status = 'FAILED';
    gaps[9]!.attempts = 3;
    gaps[9]!.candlesFilled = 2 ** 40;
    gaps[9]!.missingIntervals = 2 ** 33 + 7;
    gaps[9]!.nextAttemptAt = new Date('2025-01-03T00:15:00.000Z');
    await write({ resolve: [], update: [], insert: gaps });
    expect(new Set(gaps.map((g) => g.id)).size).toBe(2500);
    const viaTypeorm = await ds.getRepository(GapRecord).find({ order: { startTs: 'ASC' } });
    // every column as written: text with tabs, quotes and non-ASCII, bigints beyond 2^32, times to the ms
    expect(viaTypeorm).toEqual(gaps);

    // Times the database set itself carry microseconds: both reads cut them to the millisecond.
    await ds.query(
      `UPDATE gap_records SET detected_at = '2025-01-02 03:04:05.678999+00', ` +
        `resolved_at = '2025-01-02 03:04:05.0009+00' WHERE id = $1`,
      [gaps[0]!.id],
    );
    const reread = await ds.getRepository(GapRecord).find({ order: { startTs: 'ASC' } });
    expect(reread[0]).toMatchObject({
      detectedAt: new Date('2025-01-02T03:04:05.678Z'),
      resolvedAt: new Date('2025-01-02T03:04:05.000Z'),
    });
    const open = (await repo.openFor([assetId], [60])).get(`${assetId}:60`)!;
    expect(open).toEqual(reread); // the raw read hydrates exactly what TypeORM does
    expect(open[0]).toBeInstanceOf(GapRecord);

    open[0]!.markFilled(5, new Date('2025-02-01T00:00:00Z'));
    open[1]!.mergeInto(open[2]!, new Date('2025-02-01T00:00:00Z'));
    open[2]!.startTs = new Date((T + 21 * H) * 1000);
    open[2]!.missingIntervals = 4;
    open[2]!.cursor = 'abc';
    await write({ resolve: [open[0]!, open[1]!], update: [open[2]!], insert: [gap(assetId, 5000)] });
    const after = await ds.getRepository(GapRecord).find({ where: { id: open[0]!.id } });
    expect(after[0]).toMatchObject({
      status: 'FILLED',
      candlesFilled: 5,
      resolvedAt: new Date('2025-02-01T00:00:00Z'),
      lastError: null,
    });
    const reopened = (await repo.openFor([assetId], [60])).get(`${assetId}:60`)!;
    expect(reopened).toHaveLength(2500 - 2 + 1);
    expect(reopened[0]).toMatchObject({
      id: open[2]!.id,
      startTs: new Date((T + 21 * H) * 1000),
      missingIntervals: 4,
      cursor: 'abc',
    });
    expect(reopened.map((g) => g.startTs.getTime())).toEqual(
      [...reopened.map((g) => g.startTs.getTime())].sort((a, b) => a - b),
    );
  });

  it('still refuses a record of a missing asset (the foreign key holds on the bulk path)', async () => {
    const orphans = Array.from({ length: 1200 }, (_, i) => gap(assetId + 999, i));
    await expect(write({ resolve: [], update: [], insert: orphans }, [assetId + 999])).rejects.toThrow(/foreign key/);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM gap_records WHERE asset_id = $1`, [assetId + 999]);
    expect(n).toBe(0);
  });

  it(
    'a new record colliding with an open one fails the whole write with the open-gap index named, ' +
      'and nothing of it lands',
    async () => {
      const before = Number((await ds.query(`SELECT count(*) AS n FROM gap_records`))[0].n);
      const fresh = Array.from({ length: 3000 }, (_, i) => gap(assetId, 10_000 + i));
      const clash = gap(assetId, 30); // gap 30 is still open from the first test
      const failure = write({ resolve: [], update: [], insert: [...fresh, clash] });
      await expect(failure).rejects.toMatchObject({ code: '23505', constraint: 'uq_gap_records_open_start' });
      expect(Number((await ds.query(`SELECT count(*) AS n FROM gap_records`))[0].n)).toBe(before);
      // The connection went back to the pool usable.
      await write({ resolve: [], update: [], insert: fresh.slice(0, 10) });
      expect(Number((await ds.query(`SELECT count(*) AS n FROM gap_records`))[0].n)).toBe(before + 10);
    },
  );
});
