import { Injectable, Logger } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { alignUp, slots, subtractSpans } from '../coverage/coverage-math';
import { CoverageRepository } from '../coverage/coverage.repository';
import { archiveHint, lastClosedCandle, ohlcWindowStart, route, RoutedSpan } from './fillability';
import { GapChangeWriter } from './gap-change-writer';
import { reconcileGaps } from './gap-reconciler';
import { GapRepository } from './gap.repository';
import { ExpectedStart, SeriesRepository } from '../coverage/series.repository';
import { seriesKey, Span } from '../common/series';

export interface DetectOptions {
  /**
   * Where the expected window of a series not expected yet starts, in days
   * before now; without it, where its source reaches (for Kraken: the OHLC
   * window, the 719 closed candles of the interval). A series already
   * expected keeps its window.
   */
  lookbackDays?: number;
  /**
   * Extends the expected window of every selected series back to this
   * instant (epoch seconds; `--from`): recorded in `series`, so later runs
   * keep expecting it. A series already expected from earlier keeps its start.
   */
  expectFrom?: number;
  /** Compute the records as detection would leave them and write nothing (`backfill --dry-run`). */
  dryRun?: boolean;
}

export interface SeriesSelection {
  asset: Asset;
  intervalMinutes: number;
}

export interface DetectionResult {
  series: SeriesDetection[];
  inserted: number;
  updated: number;
  resolved: number;
}

export interface SeriesDetection {
  asset: Asset;
  intervalMinutes: number;
  window: Span | null;
  /** Open gap records of the series after detection, oldest first. */
  open: GapRecord[];
  inserted: number;
  updated: number;
  resolved: number;
}

const DAY = 86_400;

/** New gap records handed to the writer at a time (the database inserts one batch while the next is reconciled). */
const INSERT_BATCH = 5000;

/** The unique index on open gap records (asset, interval, start) refused an insert (a COPY's error) or a re-span (TypeORM's). */
function isOpenGapConflict(e: unknown): boolean {
  type PgError = { code?: unknown; constraint?: unknown };
  const err = e as (PgError & { driverError?: PgError }) | null;
  const pg = err?.driverError ?? err;
  return pg?.code === '23505' && pg.constraint === 'uq_gap_records_open_start';
}

const toSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
const toDate = (s: number) => new Date(s * 1000);

/**
 * Gap detection from coverage ranges only (cost grows with ranges, not
 * candles). The gaps of a series are its whole expected window (from its
 * `series` start to the last closed candle) minus its coverage, split at the
 * OHLC window boundary and labelled by fillability, then reconciled with the
 * stored records (reconcileGaps) so that the ledger invariant holds: the
 * records stand for exactly the uncovered spans. Every run, whatever its
 * lookback, works on the whole window (windowed runs limit what they fill,
 * not what is recorded); an unchanged series writes nothing.
 */
@Injectable()
export class GapDetectorService {
  private readonly logger = new Logger(GapDetectorService.name);

  constructor(
    private readonly coverage: CoverageRepository,
    private readonly gaps: GapRepository,
    private readonly series: SeriesRepository,
    private readonly candles: CandleStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Detects gaps of many series at once: a few queries for their windows,
   * coverage and records, one transaction for the changes (none when nothing
   * changed). Series not expected yet are expected from now on (DetectOptions).
   */
  async detect(series: ReadonlyArray<SeriesSelection>, opts: DetectOptions = {}): Promise<DetectionResult> {
    // Another process (a second backfill, a replica) may record the same new gaps between our read and our
    // write: the open-gap unique index refuses ours, and a fresh read sees theirs.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.detectOnce(series, opts);
      } catch (e) {
        if (attempt >= 5 || !isOpenGapConflict(e)) throw e;
        this.logger.debug(
          `gap records changed by another process while detecting; detecting again (attempt ${attempt + 1})`,
        );
      }
    }
  }

  /** Where the expected window of a series not expected yet starts (see DetectOptions). */
  defaultWindowStart(now: number, intervalMinutes: number, opts: DetectOptions): number {
    const step = intervalMinutes * 60;
    if (opts.lookbackDays !== undefined) return alignUp(now - opts.lookbackDays * DAY, step);
    return ohlcWindowStart(now, intervalMinutes);
  }

  private async detectOnce(series: ReadonlyArray<SeriesSelection>, opts: DetectOptions): Promise<DetectionResult> {
    const now = this.clock.nowSeconds();
    const assetIds = [...new Set(series.map((s) => s.asset.id))];
    const intervals = [...new Set(series.map((s) => s.intervalMinutes))];
    // Gap records first, coverage second: a filler commits coverage before it resolves a gap, so a gap seen
    // resolved here is always covered in what we read next (never re-detected as a new hole).
    const openGaps = await this.gaps.openFor(assetIds, intervals);
    const coverage = await this.coverage.spansFor(assetIds, intervals);
    const starts = await this.series.startsFor(assetIds, intervals);
    const fresh: ExpectedStart[] = [];
    if (opts.expectFrom !== undefined) {
      const extended: ExpectedStart[] = [];
      for (const { asset, intervalMinutes } of series) {
        const key = seriesKey({ assetId: asset.id, intervalMinutes });
        const from = alignUp(opts.expectFrom, intervalMinutes * 60);
        const known = starts.get(key);
        if (known !== undefined && known <= from) continue;
        if (known !== undefined)
          this.logger.log(
            `${asset.symbol} ${intervalMinutes}m: expected from ${toDate(from).toISOString()} on (was ${toDate(known).toISOString()})`,
          );
        extended.push({ assetId: asset.id, intervalMinutes, from });
        starts.set(key, from);
      }
      if (!opts.dryRun) await this.series.expectFrom(extended);
    }
    for (const { asset, intervalMinutes } of series) {
      const key = seriesKey({ assetId: asset.id, intervalMinutes });
      if (starts.has(key)) continue;
      // A series held but not expected yet (coverage written before it was) is expected from its coverage on,
      // as the migration that introduced expected series did; one held by nothing gets the default window.
      const covered = coverage.get(key) ?? [];
      const from = covered.length
        ? Math.min(...covered.map((c) => c.from))
        : this.defaultWindowStart(now, intervalMinutes, opts);
      fresh.push({ assetId: asset.id, intervalMinutes, from });
      starts.set(key, from);
    }
    if (!opts.dryRun) await this.series.expectIfNew(fresh);
    // New records stream to the database while the next series are reconciled (GapChangeWriter); the
    // changed and resolved ones follow at commit, all in one transaction.
    const changes = { resolve: [] as GapRecord[], update: [] as GapRecord[] };
    let inserted = 0;
    let pending: GapRecord[] = [];
    let writer: GapChangeWriter | undefined;
    const results: SeriesDetection[] = [];
    const nowDate = this.clock.now();
    try {
      for (const { asset, intervalMinutes } of series) {
        const key = seriesKey({ assetId: asset.id, intervalMinutes });
        const covered = coverage.get(key) ?? [];
        const window = this.expectedWindow(starts.get(key)!, covered, now, intervalMinutes);
        const step = intervalMinutes * 60;
        const routed = window
          ? subtractSpans(window, covered, step).flatMap((g) =>
              route(g, now, intervalMinutes, this.config.backfill.fromTrades),
            )
          : [];
        const plan = reconcileGaps({
          routed,
          covered,
          existing: openGaps.get(key) ?? [],
          stepSeconds: step,
          now: nowDate,
          create: (span, like) => this.newGap(asset, intervalMinutes, span, nowDate, like),
          archiveHint: (span) => archiveHint(asset.altname ?? asset.nativeSymbol, intervalMinutes, span),
        });
        for (const line of plan.log)
          (opts.dryRun ? this.logger.debug : this.logger.log).call(
            this.logger,
            `${asset.symbol} ${intervalMinutes}m: ${line}`,
          );
        const detection: SeriesDetection = {
          asset,
          intervalMinutes,
          window,
          open: plan.ledger,
          inserted: plan.insert.length,
          updated: plan.update.length,
          resolved: plan.merged.length,
        };
        for (const g of plan.covered) await this.resolveCovered(asset, intervalMinutes, g, detection);
        for (const g of [...plan.covered, ...plan.merged]) changes.resolve.push(g);
        for (const g of plan.update) if (!g.isResolved) changes.update.push(g);
        for (const g of plan.insert) pending.push(g);
        inserted += plan.insert.length;
        results.push(detection);
        if (pending.length >= INSERT_BATCH && !opts.dryRun) {
          writer ??= await this.gaps.changeWriter(assetIds);
          await writer.insert(pending);
          pending = [];
        }
      }
      if ((inserted || changes.resolve.length || changes.update.length) && !opts.dryRun) {
        writer ??= await this.gaps.changeWriter(assetIds);
        await writer.insert(pending);
        await writer.commit(changes);
      }
    } catch (e) {
      await writer?.abort();
      throw e;
    }
    // One line per run; the per-series detail at debug level (a first run over thousands of series changes them all).
    let changed = 0;
    for (const r of results) {
      if (!(r.inserted || r.updated || r.resolved)) continue;
      changed++;
      this.logger.debug(
        `${r.asset.symbol} ${r.intervalMinutes}m: ${r.inserted} new, ${r.updated} changed, ${r.resolved} resolved gap(s); ${r.open.length} open`,
      );
    }
    if (changed && !opts.dryRun) {
      this.logger.log(
        `gap detection over ${results.length} series: ${inserted} new, ${changes.update.length} changed, ${changes.resolve.length} resolved gap record(s) in ${changed} series`,
      );
    }
    return {
      series: results,
      inserted,
      updated: changes.update.length,
      resolved: changes.resolve.length,
    };
  }

  /** Settles a record whose span is now covered: FILLED, or VERIFIED_EMPTY when the store holds no candle there (a no-trade span). */
  private async resolveCovered(
    asset: Asset,
    intervalMinutes: number,
    gap: GapRecord,
    into: SeriesDetection,
  ): Promise<void> {
    const span = { from: toSeconds(gap.startTs), to: toSeconds(gap.endTs) };
    const candles = await this.candles.count({ assetId: asset.id, symbol: asset.symbol, intervalMinutes }, span);
    // An ignored span covered since (an archive loaded) is filled like any other: its IGNORED no longer applies.
    if (gap.status === 'IGNORED') gap.status = gap.initialStatus;
    if (candles > 0) gap.markFilled(candles, this.clock.now());
    else gap.markVerifiedEmpty(this.clock.now(), 'covered by a source that had no trade in the span');
    into.resolved++;
  }

  /** [series start, last closed candle]: the start is the series' expected start (or its coverage, if earlier). */
  expectedWindow(start: number, covered: readonly Span[], now: number, intervalMinutes: number): Span | null {
    const from = covered.reduce((m, s) => Math.min(m, s.from), start);
    const last = lastClosedCandle(now, intervalMinutes);
    return from <= last ? { from, to: last } : null;
  }

  private newGap(asset: Asset, intervalMinutes: number, span: RoutedSpan, now: Date, like?: GapRecord): GapRecord {
    const gap = new GapRecord();
    gap.assetId = asset.id;
    gap.intervalMinutes = intervalMinutes;
    gap.kind = 'gap';
    gap.startTs = toDate(span.from);
    gap.endTs = toDate(span.to);
    gap.missingIntervals = slots(span, intervalMinutes * 60);
    gap.fillability = span.fillability;
    gap.status = like?.status ?? 'DETECTED';
    gap.attempts = 0;
    gap.candlesFilled = 0;
    gap.reason = like?.reason ?? null;
    gap.lastError = null;
    gap.cursor = null;
    gap.nextAttemptAt = null;
    gap.detectedAt = now;
    gap.resolvedAt = like?.resolvedAt ?? null;
    gap.archiveHint =
      span.fillability === 'ARCHIVE_ONLY'
        ? archiveHint(asset.altname ?? asset.nativeSymbol, intervalMinutes, span)
        : null;
    return gap;
  }
}
