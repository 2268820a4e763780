import { SeriesKey, seriesKey } from '../common/series';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { copyOut, intArrayLiteral } from '../database/binary-copy';
import { LockKeys } from '../database/lock-keys';
import { withPooledClient } from '../database/pooled-client';
import { DataCoverageRange } from '../entities/data-coverage-range.entity';
import { CandleSource } from '../common/enums';
import { mergeSpans } from './coverage-math';
import { Span } from '../common/series';
import { fromSeconds, toSeconds } from '../common/time';

/** A coverage range as epoch-second span. */
export function rangeSpan(r: DataCoverageRange): Span {
  return { from: toSeconds(r.startTs), to: toSeconds(r.endTs) };
}

@Injectable()
export class CoverageRepository {
  constructor(
    @InjectRepository(DataCoverageRange) private readonly repo: Repository<DataCoverageRange>,
    private readonly dataSource: DataSource,
    private readonly locks: AdvisoryLockRepository,
  ) {}

  listForSeries(series: SeriesKey): Promise<DataCoverageRange[]> {
    return this.repo.find({
      where: { assetId: series.assetId, intervalMinutes: series.intervalMinutes },
      order: { startTs: 'ASC' },
    });
  }

  /** Every range of the given assets and intervals, ordered by series then start (one query for many series). */
  listForAssets(assetIds: readonly number[], intervals: readonly number[]): Promise<DataCoverageRange[]> {
    if (assetIds.length === 0 || intervals.length === 0) return Promise.resolve([]);
    return this.repo.find({
      where: { assetId: In([...assetIds]), intervalMinutes: In([...intervals]) },
      order: { assetId: 'ASC', intervalMinutes: 'ASC', startTs: 'ASC' },
    });
  }

  /** The series (asset, interval) that have any coverage, for the given assets. */
  async coveredSeries(assetIds: readonly number[]): Promise<SeriesKey[]> {
    if (assetIds.length === 0) return [];
    const rows: Array<{ a: number; i: number }> = await this.dataSource.query(
      `SELECT DISTINCT asset_id AS a, interval_minutes AS i FROM data_coverage_ranges ` +
        `WHERE asset_id = ANY($1::int[]) ORDER BY 1, 2`,
      [assetIds],
    );
    return rows.map((r) => ({ assetId: r.a, intervalMinutes: r.i }));
  }

  /**
   * Coverage spans (epoch seconds) of many series in one binary COPY, keyed by
   * `seriesKey()`: detection and reports over thousands of series stay one
   * round trip and no entity hydration.
   */
  async spansFor(assetIds: readonly number[], intervals: readonly number[]): Promise<Map<string, Span[]>> {
    const out = new Map<string, Span[]>();
    if (assetIds.length === 0 || intervals.length === 0) return out;
    // No ORDER BY: sorting 100,000 rows spills to disk at the default work_mem; each series' few spans sort here.
    const rows = await withPooledClient(this.dataSource, (client) =>
      copyOut(
        client,
        `SELECT asset_id, interval_minutes, start_ts, end_ts FROM data_coverage_ranges
          WHERE asset_id = ANY(${intArrayLiteral(assetIds)}) AND interval_minutes = ANY(${intArrayLiteral(intervals)})`,
        (r) => ({ assetId: r.int4(), intervalMinutes: r.int4(), from: r.epochSeconds(), to: r.epochSeconds() }),
      ),
    );
    for (const { assetId, intervalMinutes, from, to } of rows) {
      const key = seriesKey({ assetId, intervalMinutes });
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push({ from, to });
    }
    for (const list of out.values()) if (list.length > 1) list.sort((x, y) => x.from - y.from);
    return out;
  }

  /**
   * Adds `span` as coverage of the series from `source`, merged with every
   * range it overlaps or touches, in one transaction under a per-series lock
   * (concurrent writers of one series serialise; the exclusion constraint
   * backs this up). The merged range's candle_count comes from `recount`
   * (the store, never a sum over overlaps).
   */
  async mergeIn(
    series: SeriesKey,
    span: Span,
    source: CandleSource,
    recount: (merged: Span) => Promise<number>,
  ): Promise<DataCoverageRange> {
    const step = series.intervalMinutes * 60;
    return this.dataSource.transaction(async (em) => {
      // Concurrent coverage writers of the series serialise for the rest of the transaction.
      await this.locks.lockForTransaction(em, LockKeys.coverage(series));
      const touching = await em
        .getRepository(DataCoverageRange)
        .createQueryBuilder('r')
        .where('r.asset_id = :assetId AND r.interval_minutes = :interval', {
          assetId: series.assetId,
          interval: series.intervalMinutes,
        })
        .andWhere('r.start_ts <= :touchTo AND r.end_ts >= :touchFrom', {
          touchFrom: fromSeconds(span.from - step),
          touchTo: fromSeconds(span.to + step),
        })
        .getMany();
      const [merged] = mergeSpans([span, ...touching.map(rangeSpan)], step);
      if (!merged) throw new Error(`empty coverage span ${span.from}..${span.to}`);
      const sources = [...new Set<CandleSource>([source, ...touching.flatMap((r) => r.sources)])].sort();
      if (touching.length) await em.getRepository(DataCoverageRange).delete({ id: In(touching.map((r) => r.id)) });
      const row = em.getRepository(DataCoverageRange).create({
        assetId: series.assetId,
        intervalMinutes: series.intervalMinutes,
        startTs: fromSeconds(merged.from),
        endTs: fromSeconds(merged.to),
        candleCount: await recount(merged),
        sources,
      });
      return em.getRepository(DataCoverageRange).save(row);
    });
  }
}
