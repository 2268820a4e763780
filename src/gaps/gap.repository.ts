import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not, Repository } from 'typeorm';
import { GapRecord } from '../entities/gap-record.entity';
import { GapStatus, RESOLVED_GAP_STATUSES, Tier } from '../entities/enums';
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

@Injectable()
export class GapRepository {
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

  /** Unresolved gaps of many series in one query, keyed by seriesKey(). */
  async openFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, GapRecord[]>> {
    const out = new Map<string, GapRecord[]>();
    if (assetIds.length === 0 || intervals.length === 0) return out;
    const rows = await this.repo.find({
      where: { assetId: In([...assetIds]), intervalMinutes: In([...intervals]), status: Not(In([...RESOLVED_GAP_STATUSES])) },
      order: { assetId: 'ASC', intervalMinutes: 'ASC', startTs: 'ASC' },
    });
    for (const g of rows) {
      const key = seriesKey(g);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(g);
    }
    return out;
  }

  /** Applies a reconciliation atomically: resolutions first so that re-spanned starts never collide; inserts in bulk. */
  async applyChanges(changes: { resolve: GapRecord[]; update: GapRecord[]; insert: GapRecord[] }): Promise<void> {
    if (!changes.resolve.length && !changes.update.length && !changes.insert.length) return;
    await this.dataSource.transaction(async (em) => {
      const repo = em.getRepository(GapRecord);
      if (changes.resolve.length) await repo.save(changes.resolve);
      if (changes.update.length) await repo.save(changes.update);
      for (let i = 0; i < changes.insert.length; i += 1000) {
        const chunk = changes.insert.slice(i, i + 1000);
        const result = await repo.createQueryBuilder().insert().into(GapRecord).values(chunk).returning(['id']).execute();
        chunk.forEach((g, j) => (g.id = (result.identifiers[j] as { id: number }).id));
      }
    });
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
