import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { PoolClient } from 'pg';
import { DataSource, DeepPartial, In, Repository } from 'typeorm';
import { BinaryTupleReader, copyOut, intArrayLiteral, textArrayLiteral } from '../database/binary-copy';
import { BulkAssetLock } from '../database/bulk-asset-lock';
import { withPooledClient } from '../database/pooled-client';
import { isUniqueViolation } from '../database/pg-errors';
import { GapRecord } from '../entities/gap-record.entity';
import {
  CLOSED_GAP_STATUSES,
  Fillability,
  GapKind,
  GapStatus,
  LEDGER_GAP_STATUSES,
  OPEN_GAP_STATUSES,
  Tier,
} from '../common/enums';
import { GapChangeWriter } from './gap-change-writer';
import { SeriesKey, seriesKey } from '../common/series';

export interface GapListFilter {
  tier?: Tier;
  intervals?: readonly number[];
  statuses?: readonly GapStatus[];
  kinds?: readonly GapKind[];
  assetIds?: readonly number[];
  ids?: readonly number[];
  limit?: number;
}

export interface GapWithSymbol {
  gap: GapRecord;
  symbol: string;
  altname: string | null;
  tier: Tier;
}

/**
 * One gap record from a binary COPY of GAP_COLUMNS (the same values TypeORM would hydrate; times to the millisecond).
 */
function readGapRecord(r: BinaryTupleReader): GapRecord {
  const g = new GapRecord();
  g.id = r.int4();
  g.assetId = r.int4();
  g.intervalMinutes = r.int4();
  g.startTs = r.date();
  g.endTs = r.date();
  g.missingIntervals = r.int8();
  g.fillability = r.text() as Fillability;
  g.status = r.text() as GapStatus;
  g.reason = r.textOrNull();
  g.attempts = r.int4();
  g.lastError = r.textOrNull();
  g.candlesFilled = r.int8();
  g.cursor = r.textOrNull();
  g.archiveHint = r.textOrNull();
  g.detectedAt = r.date();
  g.resolvedAt = r.dateOrNull();
  g.kind = r.text() as GapKind;
  g.nextAttemptAt = r.dateOrNull();
  return g;
}

/** A gap or suspect record as the reports read it: epoch seconds, many series in one binary COPY. */
export interface GapSpanRow {
  assetId: number;
  intervalMinutes: number;
  from: number;
  to: number;
  missing: number;
  fillability: Fillability;
  status: GapStatus;
  kind: GapKind;
}

/**
 * The unique index on open gap records (asset, interval, start) refused an insert (a COPY's error) or a re-span
 * (TypeORM's): another process recorded the same gap meanwhile.
 */
export function isOpenGapConflict(e: unknown): boolean {
  return isUniqueViolation(e, 'uq_gap_records_open_start');
}

/** The columns readGapRecord reads, in its order. */
const GAP_COLUMNS =
  `id, asset_id, interval_minutes, start_ts, end_ts, missing_intervals, fillability, status, reason, attempts,\n` +
  `  last_error, candles_filled, cursor, archive_hint, detected_at, resolved_at, kind, next_attempt_at`;

@Injectable()
export class GapRepository {
  private readonly assetLock = new BulkAssetLock();
  /** gap_records' id sequence (asked once). */
  private idSequence: string | undefined;

  constructor(
    @InjectRepository(GapRecord) private readonly repo: Repository<GapRecord>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * The ledger records of kind `gap` (open and IGNORED: together they stand
   * for the uncovered spans) of many series in one binary COPY (no text
   * parsing, no entity hydration by TypeORM: 100,000 records in about 0.3 s),
   * keyed by seriesKey().
   */
  openFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, GapRecord[]>> {
    return this.bySeries(assetIds, intervals, 'gap', LEDGER_GAP_STATUSES);
  }

  /** The open suspect records (covered spans to verify) of many series, keyed by seriesKey(). */
  openSuspectsFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, GapRecord[]>> {
    return this.bySeries(assetIds, intervals, 'suspect', OPEN_GAP_STATUSES);
  }

  /** Every suspect record of a series whatever its status (already flagged spans are not flagged again). */
  async suspectsOf(series: SeriesKey): Promise<GapRecord[]> {
    return this.repo.find({
      where: { assetId: series.assetId, intervalMinutes: series.intervalMinutes, kind: 'suspect' },
      order: { startTs: 'ASC' },
    });
  }

  private async bySeries(
    assetIds: readonly number[],
    intervals: readonly number[],
    kind: GapKind,
    statuses: readonly GapStatus[],
  ): Promise<Map<string, GapRecord[]>> {
    const out = new Map<string, GapRecord[]>();
    if (assetIds.length === 0 || intervals.length === 0) return out;
    const gaps = await withPooledClient(this.dataSource, (client) =>
      copyOut(
        client,
        `SELECT ${GAP_COLUMNS} FROM gap_records
          WHERE asset_id = ANY(${intArrayLiteral(assetIds)}) AND interval_minutes = ANY(${intArrayLiteral(intervals)})
            AND kind = '${kind}' AND status = ANY(${textArrayLiteral(statuses)})`,
        readGapRecord,
      ),
    );
    for (const g of gaps) {
      const key = seriesKey(g);
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(g);
    }
    // Oldest first within each series (sorted here: no server-side sort of every row).
    for (const list of out.values())
      if (list.length > 1) list.sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
    return out;
  }

  /**
   * Opens the transaction a detection run writes its changes in (see
   * GapChangeWriter). New records may reference only `assetIds`, locked once
   * instead of the per-row foreign-key trigger (BulkAssetLock: about half the
   * cost of inserting 100,000 gap records).
   */
  async changeWriter(assetIds: readonly number[]): Promise<GapChangeWriter> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      await runner.startTransaction();
      await this.assetLock.lock(client, assetIds);
      this.idSequence ??= (
        await client.query<{ s: string }>(`SELECT pg_get_serial_sequence('gap_records', 'id') AS s`)
      ).rows[0]!.s;
      return new GapChangeWriter(runner, client, this.dataSource, this.idSequence);
    } catch (e) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw e;
    }
  }

  /** Deletes closed records (FILLED, VERIFIED_EMPTY, MERGED) resolved before `before`; returns how many. */
  async deleteResolvedBefore(before: Date): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .from(GapRecord)
      .where('status IN (:...statuses)', { statuses: CLOSED_GAP_STATUSES })
      .andWhere('resolved_at < :before', { before })
      .execute();
    return result.affected ?? 0;
  }

  /** The records of a series being filled. */
  fillingOf(series: SeriesKey): Promise<GapRecord[]> {
    return this.repo.find({
      where: { assetId: series.assetId, intervalMinutes: series.intervalMinutes, status: 'FILLING' },
      order: { startTs: 'ASC' },
    });
  }

  /** A new (unsaved) record. */
  create(fields: DeepPartial<GapRecord>): GapRecord {
    return this.repo.create(fields);
  }

  /** Saves the records in one transaction (a split: no moment where part of a span lacks its record). */
  saveAllInTransaction(gaps: GapRecord[]): Promise<GapRecord[]> {
    return this.dataSource.transaction((em) => em.getRepository(GapRecord).save(gaps));
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
    if (filter.kinds?.length) q.andWhere('g.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.ids?.length) q.andWhere('g.id IN (:...ids)', { ids: filter.ids });
    if (filter.assetIds?.length) q.andWhere('g.asset_id IN (:...assetIds)', { assetIds: filter.assetIds });
    if (filter.limit) q.limit(filter.limit);
    const { entities, raw } = await q.getRawAndEntities<{ a_symbol: string; a_altname: string | null; a_tier: Tier }>();
    return entities.map((gap, i) => ({
      gap,
      symbol: raw[i]!.a_symbol,
      altname: raw[i]!.a_altname,
      tier: raw[i]!.a_tier,
    }));
  }

  /** Gap and suspect records of the series (the ledger's always; closed ones too when asked, e.g. for timelines). */
  async gapSpans(
    assetIds: readonly number[],
    intervals: readonly number[],
    includeResolved: boolean,
  ): Promise<GapSpanRow[]> {
    if (assetIds.length === 0 || intervals.length === 0) return [];
    // Unordered (a server-side sort of every row spills to disk); callers group by series and sort there.
    return withPooledClient(this.dataSource, (client) =>
      copyOut(
        client,
        `SELECT asset_id, interval_minutes, start_ts, end_ts, missing_intervals, fillability, status, kind ` +
          `FROM gap_records
          WHERE asset_id = ANY(${intArrayLiteral(assetIds)}) AND interval_minutes = ANY(${intArrayLiteral(intervals)})
            ${
              includeResolved ? `AND status <> 'MERGED'` : `AND status = ANY(${textArrayLiteral(LEDGER_GAP_STATUSES)})`
            }`,
        (r) => ({
          assetId: r.int4(),
          intervalMinutes: r.int4(),
          from: r.epochSeconds(),
          to: r.epochSeconds(),
          missing: r.int8(),
          fillability: r.text() as Fillability,
          status: r.text() as GapStatus,
          kind: r.text() as GapKind,
        }),
      ),
    );
  }
}
