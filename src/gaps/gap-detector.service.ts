import { Injectable, Logger } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { alignUp, intersect, isCovered, slots, Span, subtractSpans } from './coverage-math';
import { CoverageRepository, seriesKey } from './coverage.repository';
import { archiveHint, lastClosedCandle, route, RoutedSpan } from './fillability';
import { GapChangeWriter } from './gap-change-writer';
import { GapRepository } from './gap.repository';

export interface DetectOptions {
  /** Window start for a series with no coverage (and the incremental floor), in days before now. */
  lookbackDays: number;
  /** Only [max(end of last coverage, now − lookback), now]. */
  incremental: boolean;
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

interface Reconciliation {
  detection: SeriesDetection;
  resolve: GapRecord[];
  update: GapRecord[];
  insert: GapRecord[];
  /** Records whose span is covered now, to be resolved by resolveCovered. */
  covered: GapRecord[];
}

/**
 * The record a current gap keeps: among unused records overlapping it
 * (`from`/`to`: their spans in seconds), the one starting where it starts
 * with its fillability, else the first with its fillability, else the first.
 * −1 when none overlaps.
 */
function bestMatch(existing: readonly GapRecord[], from: readonly number[], to: readonly number[], used: Uint8Array, span: RoutedSpan): number {
  let sameFillability = -1;
  let any = -1;
  for (let i = 0; i < existing.length; i++) {
    if (used[i] || from[i]! > span.to || to[i]! < span.from) continue;
    if (any < 0) any = i;
    if (existing[i]!.fillability !== span.fillability) continue;
    if (from[i] === span.from) return i;
    if (sameFillability < 0) sameFillability = i;
  }
  return sameFillability >= 0 ? sameFillability : any;
}

/**
 * Gap detection from coverage ranges only (cost grows with ranges, not
 * candles). Gaps = the series' expected window minus its coverage, split at
 * the OHLC window boundary and labelled by fillability, then reconciled with
 * the stored gap records: new spans DETECTED, covered ones FILLED (or
 * VERIFIED_EMPTY when the covering source had no trade there), changed ones
 * re-spanned; an unchanged series writes nothing.
 */
@Injectable()
export class GapDetectorService {
  private readonly logger = new Logger(GapDetectorService.name);

  constructor(
    private readonly coverage: CoverageRepository,
    private readonly gaps: GapRepository,
    private readonly candles: CandleStore,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Detects gaps of many series at once: one query for their coverage, one
   * for their open gap records, one transaction for the changes (none when
   * nothing changed).
   */
  async detect(series: ReadonlyArray<SeriesSelection>, opts: DetectOptions): Promise<DetectionResult> {
    // Another process (a second backfill, a replica) may record the same new gaps between our read and our
    // write: the open-gap unique index refuses ours, and a fresh read sees theirs.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.detectOnce(series, opts);
      } catch (e) {
        if (attempt >= 5 || !isOpenGapConflict(e)) throw e;
        this.logger.debug(`gap records changed by another process while detecting; detecting again (attempt ${attempt + 1})`);
      }
    }
  }

  private async detectOnce(series: ReadonlyArray<SeriesSelection>, opts: DetectOptions): Promise<DetectionResult> {
    const now = this.clock.nowSeconds();
    const assetIds = [...new Set(series.map((s) => s.asset.id))];
    const intervals = [...new Set(series.map((s) => s.intervalMinutes))];
    // Gap records first, coverage second: a filler commits coverage before it resolves a gap, so a gap seen
    // resolved here is always covered in what we read next (never re-detected as a new hole).
    const openGaps = await this.gaps.openFor(assetIds, intervals);
    const coverage = await this.coverage.spansFor(assetIds, intervals);
    // New records stream to the database while the next series are reconciled (GapChangeWriter); the
    // changed and resolved ones follow at commit, all in one transaction.
    const changes = { resolve: [] as GapRecord[], update: [] as GapRecord[] };
    let inserted = 0;
    let pending: GapRecord[] = [];
    let writer: GapChangeWriter | undefined;
    const results: SeriesDetection[] = [];
    try {
      for (const { asset, intervalMinutes } of series) {
        const key = seriesKey({ assetId: asset.id, intervalMinutes });
        const r = this.reconcile(asset, intervalMinutes, coverage.get(key) ?? [], openGaps.get(key) ?? [], now, opts);
        if (r.covered.length) await this.resolveCovered(asset, intervalMinutes, r.covered, r);
        for (const g of r.resolve) changes.resolve.push(g);
        for (const g of r.update) changes.update.push(g);
        for (const g of r.insert) pending.push(g);
        inserted += r.insert.length;
        results.push(r.detection);
        if (pending.length >= INSERT_BATCH) {
          writer ??= await this.gaps.changeWriter(assetIds);
          await writer.insert(pending);
          pending = [];
        }
      }
      if (inserted || changes.resolve.length || changes.update.length) {
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
    if (changed) {
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

  /**
   * The current gaps of one series against its records: each gap keeps the
   * record that best matches it (re-spanned when it moved), else gets a new
   * one; records no gap kept are resolved — those now covered are returned
   * in `covered` for resolveCovered. Synchronous: a run reconciles thousands
   * of series while their new records stream to the database.
   */
  private reconcile(
    asset: Asset,
    intervalMinutes: number,
    covered: readonly Span[],
    existing: readonly GapRecord[],
    now: number,
    opts: DetectOptions,
  ): Reconciliation {
    const step = intervalMinutes * 60;
    const window = this.expectedWindow(covered, now, intervalMinutes, opts);
    const routed = window
      ? subtractSpans(window, covered, step).flatMap((g) => route(g, now, intervalMinutes, this.config.tradesBackfill))
      : [];

    const n = existing.length;
    const from = new Array<number>(n);
    const to = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      from[i] = toSeconds(existing[i]!.startTs);
      to[i] = toSeconds(existing[i]!.endTs);
    }
    const used = new Uint8Array(n);
    const update: GapRecord[] = [];
    const insert: GapRecord[] = [];
    for (const span of routed) {
      const i = bestMatch(existing, from, to, used, span);
      if (i < 0) {
        insert.push(this.newGap(asset, intervalMinutes, span));
        continue;
      }
      used[i] = 1;
      if (this.respan(existing[i]!, asset, span)) update.push(existing[i]!);
    }

    const resolve: GapRecord[] = [];
    const coveredGaps: GapRecord[] = [];
    let open: GapRecord[] = existing as GapRecord[];
    if (used.includes(0)) {
      open = [];
      for (let i = 0; i < n; i++) {
        const gap = existing[i]!;
        const span = { from: from[i]!, to: to[i]! };
        if (used[i]) open.push(gap);
        else if (isCovered(span, covered, step)) coveredGaps.push(gap);
        else if (window && intersect(span, window)) {
          // Overlaps a current gap that another record already stands for: a duplicate.
          gap.ignore(this.clock.now(), 'superseded by another gap record of the same span');
          resolve.push(gap);
        } else open.push(gap); // outside the window (e.g. an incremental run) and still uncovered: left as it is
      }
    }
    if (insert.length) open = open.concat(insert).sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
    return {
      detection: { asset, intervalMinutes, window, open, inserted: insert.length, updated: update.length, resolved: resolve.length },
      resolve,
      update,
      insert,
      covered: coveredGaps,
    };
  }

  /** Resolves records whose span is now covered: FILLED, or VERIFIED_EMPTY when the store holds no candle there (a no-trade span). */
  private async resolveCovered(asset: Asset, intervalMinutes: number, gaps: readonly GapRecord[], into: Reconciliation): Promise<void> {
    for (const gap of gaps) {
      const span = { from: toSeconds(gap.startTs), to: toSeconds(gap.endTs) };
      const candles = await this.candles.count({ assetId: asset.id, symbol: asset.symbol, intervalMinutes }, span);
      if (candles > 0) gap.markFilled(candles, this.clock.now());
      else gap.markVerifiedEmpty(this.clock.now(), 'covered by a source that had no trade in the span');
      into.resolve.push(gap);
      into.detection.resolved++;
    }
  }

  /** [series start, last closed candle]; series start = earliest coverage, or now − lookback without any. */
  expectedWindow(covered: readonly Span[], now: number, intervalMinutes: number, opts: DetectOptions): Span | null {
    const step = intervalMinutes * 60;
    const floor = alignUp(now - opts.lookbackDays * DAY, step);
    const last = lastClosedCandle(now, intervalMinutes);
    let from: number;
    if (opts.incremental) {
      const lastCovered = covered.reduce((m, s) => Math.max(m, s.to), Number.NEGATIVE_INFINITY);
      from = Math.max(lastCovered, floor);
    } else {
      from = covered.length ? covered.reduce((m, s) => Math.min(m, s.from), Number.POSITIVE_INFINITY) : floor;
    }
    return from <= last ? { from, to: last } : null;
  }

  /** Re-spans a record to the current gap; returns false when nothing changed (so nothing is written). */
  private respan(gap: GapRecord, asset: Asset, span: RoutedSpan): boolean {
    const from = toSeconds(gap.startTs);
    const to = toSeconds(gap.endTs);
    if (from === span.from && to === span.to && gap.fillability === span.fillability) return false;
    if (gap.fillability !== span.fillability) {
      // A different source now applies (the OHLC window moved on, or trades backfill was switched).
      gap.status = 'DETECTED';
      gap.reason = null;
      gap.cursor = null;
    }
    if (from !== span.from) gap.cursor = null; // a trades cursor belongs to the old start
    gap.startTs = toDate(span.from);
    gap.endTs = toDate(span.to);
    gap.fillability = span.fillability;
    gap.missingIntervals = slots(span, gap.intervalMinutes * 60);
    gap.archiveHint = span.fillability === 'ARCHIVE_ONLY' ? archiveHint(asset.altname ?? asset.nativeSymbol, gap.intervalMinutes, span) : null;
    return true;
  }

  private newGap(asset: Asset, intervalMinutes: number, span: RoutedSpan): GapRecord {
    const gap = new GapRecord();
    gap.assetId = asset.id;
    gap.intervalMinutes = intervalMinutes;
    gap.startTs = toDate(span.from);
    gap.endTs = toDate(span.to);
    gap.missingIntervals = slots(span, intervalMinutes * 60);
    gap.fillability = span.fillability;
    gap.status = 'DETECTED';
    gap.attempts = 0;
    gap.candlesFilled = 0;
    gap.reason = null;
    gap.lastError = null;
    gap.cursor = null;
    gap.detectedAt = this.clock.now();
    gap.resolvedAt = null;
    gap.archiveHint =
      span.fillability === 'ARCHIVE_ONLY' ? archiveHint(asset.altname ?? asset.nativeSymbol, intervalMinutes, span) : null;
    return gap;
  }
}
