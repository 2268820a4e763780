import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not, Repository } from 'typeorm';
import { GapRecord } from '../entities/gap-record.entity';
import { Fillability, GapStatus, RESOLVED_GAP_STATUSES, Tier } from '../entities/enums';
import { SeriesKey, seriesKey } from './coverage.repository';

export interface GapListFilter {
  tier?: Tier;
  intervals?: readonly number[];
  statuses?: readonly GapStatus[];
  assetIds?: readonly number[];
  limit?: number;
}

export interface GapWithSymbol {
  gap: GapRecord;
  symbol: string;
  altname: string | null;
  tier: Tier;
}

/** Rows per statement of a bulk write (parameters are arrays: one round trip per chunk). */
const CHUNK = 20_000;
/** From this many new records on, one asset lock replaces the per-row foreign-key checks (see lockAssetsForBulk). */
const BULK_INSERT_ROWS = 1000;

const GAP_COLUMNS = `id, asset_id, interval_minutes, extract(epoch FROM start_ts)::float8 AS start_s, extract(epoch FROM end_ts)::float8 AS end_s,
  missing_intervals, fillability, status, reason, attempts, last_error, candles_filled, cursor, archive_hint,
  extract(epoch FROM detected_at)::float8 AS detected_s, extract(epoch FROM resolved_at)::float8 AS resolved_s`;

interface GapDbRow {
  id: number;
  asset_id: number;
  interval_minutes: number;
  start_s: number;
  end_s: number;
  missing_intervals: string;
  fillability: Fillability;
  status: GapStatus;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  candles_filled: string;
  cursor: string | null;
  archive_hint: string | null;
  detected_s: number;
  resolved_s: number | null;
}

/** A GapRecord entity from a raw row (the same values TypeORM would hydrate; times to the millisecond). */
function toGapRecord(r: GapDbRow): GapRecord {
  const g = new GapRecord();
  g.id = r.id;
  g.assetId = r.asset_id;
  g.intervalMinutes = r.interval_minutes;
  g.startTs = new Date(r.start_s * 1000);
  g.endTs = new Date(r.end_s * 1000);
  g.missingIntervals = Number(r.missing_intervals);
  g.fillability = r.fillability;
  g.status = r.status;
  g.reason = r.reason;
  g.attempts = r.attempts;
  g.lastError = r.last_error;
  g.candlesFilled = Number(r.candles_filled);
  g.cursor = r.cursor;
  g.archiveHint = r.archive_hint;
  g.detectedAt = new Date(Math.floor(r.detected_s * 1000));
  g.resolvedAt = r.resolved_s === null ? null : new Date(Math.floor(r.resolved_s * 1000));
  return g;
}

@Injectable()
export class GapRepository {
  /** Whether this role may skip per-row FK triggers in bulk inserts (asked once). */
  private skipFkTriggers: boolean | undefined;

  constructor(
    @InjectRepository(GapRecord) private readonly repo: Repository<GapRecord>,
    private readonly dataSource: DataSource,
  ) {}

  /** Unresolved gaps of a series, oldest first. */
  openForSeries(series: SeriesKey, em?: EntityManager): Promise<GapRecord[]> {
    const repo = em ? em.getRepository(GapRecord) : this.repo;
    return repo.find({
      where: { assetId: series.assetId, intervalMinutes: series.intervalMinutes, status: Not(In([...RESOLVED_GAP_STATUSES])) },
      order: { startTs: 'ASC' },
    });
  }

  /**
   * Unresolved gaps of many series in one raw query (no entity hydration by
   * TypeORM: 100,000 records in a few hundred ms), keyed by seriesKey().
   */
  async openFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, GapRecord[]>> {
    const out = new Map<string, GapRecord[]>();
    if (assetIds.length === 0 || intervals.length === 0) return out;
    const rows: GapDbRow[] = await this.dataSource.query(
      `SELECT ${GAP_COLUMNS} FROM gap_records
        WHERE asset_id = ANY($1::int[]) AND interval_minutes = ANY($2::int[]) AND status <> ALL($3::text[])`,
      [assetIds, intervals, RESOLVED_GAP_STATUSES],
    );
    for (const row of rows) {
      const g = toGapRecord(row);
      const key = seriesKey(g);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(g);
    }
    // Oldest first within each series (sorted here: no server-side sort of every row).
    for (const list of out.values()) if (list.length > 1) list.sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
    return out;
  }

  /**
   * Applies a reconciliation atomically, in a few statements whatever its
   * size: resolutions first so that re-spanned starts never collide, then
   * updates (each one UPDATE … FROM unnest), then inserts with ids taken
   * from the sequence beforehand (so each record gets its id without relying
   * on RETURNING order).
   */
  async applyChanges(changes: { resolve: GapRecord[]; update: GapRecord[]; insert: GapRecord[] }): Promise<void> {
    if (!changes.resolve.length && !changes.update.length && !changes.insert.length) return;
    await this.dataSource.transaction(async (em) => {
      if (changes.insert.length >= BULK_INSERT_ROWS) await this.lockAssetsForBulk(em, changes.insert);
      for (let i = 0; i < changes.resolve.length; i += CHUNK) await this.updateAll(em, changes.resolve.slice(i, i + CHUNK));
      for (let i = 0; i < changes.update.length; i += CHUNK) await this.updateAll(em, changes.update.slice(i, i + CHUNK));
      for (let i = 0; i < changes.insert.length; i += CHUNK) await this.insertAll(em, changes.insert.slice(i, i + CHUNK));
    });
  }

  /**
   * As the candle store's bulk writer does: instead of PostgreSQL's per-row
   * foreign-key trigger (about half the cost of inserting 100,000 gap
   * records), check and lock the referenced assets once (FOR KEY SHARE, held
   * to commit, as the trigger would) and, where the role may (superuser, e.g.
   * the embedded database), turn the per-row triggers off for this
   * transaction only. Elsewhere the trigger simply runs.
   */
  private async lockAssetsForBulk(em: EntityManager, gaps: readonly GapRecord[]): Promise<void> {
    const ids = [...new Set(gaps.map((g) => g.assetId))];
    const locked: unknown[] = await em.query('SELECT id FROM assets WHERE id = ANY($1::int[]) FOR KEY SHARE', [ids]);
    if (locked.length !== ids.length) return; // a missing asset: let the foreign key report it
    if (this.skipFkTriggers === undefined) {
      const [row] = (await em.query(
        `SELECT rolsuper OR has_parameter_privilege('session_replication_role', 'SET') AS allowed FROM pg_roles WHERE rolname = current_user`,
      )) as Array<{ allowed: boolean }>;
      this.skipFkTriggers = row?.allowed === true;
    }
    if (this.skipFkTriggers) await em.query('SET LOCAL session_replication_role = replica');
  }

  private async updateAll(em: EntityManager, gaps: readonly GapRecord[]): Promise<void> {
    await em.query(
      `UPDATE gap_records g
          SET start_ts = to_timestamp(u.s), end_ts = to_timestamp(u.e), missing_intervals = u.m, fillability = u.f, status = u.st,
              reason = u.r, attempts = u.a, last_error = u.le, candles_filled = u.cf, cursor = u.c, archive_hint = u.h,
              resolved_at = to_timestamp(u.ra)
         FROM unnest($1::int[], $2::float8[], $3::float8[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[],
                     $10::bigint[], $11::text[], $12::text[], $13::float8[])
              AS u(id, s, e, m, f, st, r, a, le, cf, c, h, ra)
        WHERE g.id = u.id`,
      [
        gaps.map((g) => g.id),
        ...this.columnArrays(gaps),
      ],
    );
  }

  private async insertAll(em: EntityManager, gaps: GapRecord[]): Promise<void> {
    const ids: Array<{ id: number }> = await em.query(
      `SELECT nextval(pg_get_serial_sequence('gap_records', 'id'))::int AS id FROM generate_series(1, $1::int)`,
      [gaps.length],
    );
    gaps.forEach((g, i) => (g.id = ids[i]!.id));
    await em.query(
      `INSERT INTO gap_records (id, start_ts, end_ts, missing_intervals, fillability, status, reason, attempts, last_error,
                                candles_filled, cursor, archive_hint, resolved_at, asset_id, interval_minutes, detected_at)
       SELECT u.id, to_timestamp(u.s), to_timestamp(u.e), u.m, u.f, u.st, u.r, u.a, u.le, u.cf, u.c, u.h, to_timestamp(u.ra),
              u.asset, u.iv, coalesce(to_timestamp(u.d), now())
         FROM unnest($1::int[], $2::float8[], $3::float8[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[],
                     $10::bigint[], $11::text[], $12::text[], $13::float8[], $14::int[], $15::int[], $16::float8[])
              AS u(id, s, e, m, f, st, r, a, le, cf, c, h, ra, asset, iv, d)`,
      [
        gaps.map((g) => g.id),
        ...this.columnArrays(gaps),
        gaps.map((g) => g.assetId),
        gaps.map((g) => g.intervalMinutes),
        gaps.map((g) => (g.detectedAt ? g.detectedAt.getTime() / 1000 : null)),
      ],
    );
  }

  /** The mutable columns of the records as parallel arrays ($2 … $13 of updateAll/insertAll); times in epoch seconds. */
  private columnArrays(gaps: readonly GapRecord[]): unknown[][] {
    const seconds = (d: Date | null | undefined) => (d ? d.getTime() / 1000 : null);
    return [
      gaps.map((g) => seconds(g.startTs)),
      gaps.map((g) => seconds(g.endTs)),
      gaps.map((g) => g.missingIntervals),
      gaps.map((g) => g.fillability),
      gaps.map((g) => g.status),
      gaps.map((g) => g.reason ?? null),
      gaps.map((g) => g.attempts ?? 0),
      gaps.map((g) => g.lastError ?? null),
      gaps.map((g) => g.candlesFilled ?? 0),
      gaps.map((g) => g.cursor ?? null),
      gaps.map((g) => g.archiveHint ?? null),
      gaps.map((g) => seconds(g.resolvedAt)),
    ];
  }

  /** Deletes resolved gaps resolved before `before`; returns how many. */
  async deleteResolvedBefore(before: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .from(GapRecord)
      .where('status IN (:...statuses)', { statuses: RESOLVED_GAP_STATUSES })
      .andWhere('resolved_at < :before', { before })
      .execute();
    return result.affected ?? 0;
  }

  findByStatus(status: GapStatus): Promise<GapRecord[]> {
    return this.repo.find({ where: { status }, order: { id: 'ASC' } });
  }

  findByIds(ids: readonly number[]): Promise<GapRecord[]> {
    return ids.length ? this.repo.find({ where: { id: In([...ids]) }, order: { id: 'ASC' } }) : Promise.resolve([]);
  }

  save(gap: GapRecord): Promise<GapRecord> {
    return this.repo.save(gap);
  }

  saveAll(gaps: GapRecord[]): Promise<GapRecord[]> {
    return this.repo.save(gaps);
  }

  /** Gap records with their asset's symbol, newest detection first within series order. */
  async list(filter: GapListFilter): Promise<GapWithSymbol[]> {
    const q = this.repo
      .createQueryBuilder('g')
      .innerJoin('assets', 'a', 'a.id = g.asset_id')
      .addSelect(['a.symbol AS a_symbol', 'a.altname AS a_altname', 'a.tier AS a_tier'])
      .orderBy('a.symbol', 'ASC')
      .addOrderBy('g.interval_minutes', 'ASC')
      .addOrderBy('g.start_ts', 'ASC');
    if (filter.tier) q.andWhere('a.tier = :tier', { tier: filter.tier });
    if (filter.intervals?.length) q.andWhere('g.interval_minutes IN (:...intervals)', { intervals: filter.intervals });
    if (filter.statuses?.length) q.andWhere('g.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.assetIds?.length) q.andWhere('g.asset_id IN (:...assetIds)', { assetIds: filter.assetIds });
    if (filter.limit) q.limit(filter.limit);
    const { entities, raw } = await q.getRawAndEntities<{ a_symbol: string; a_altname: string | null; a_tier: Tier }>();
    return entities.map((gap, i) => ({ gap, symbol: raw[i]!.a_symbol, altname: raw[i]!.a_altname, tier: raw[i]!.a_tier }));
  }
}
