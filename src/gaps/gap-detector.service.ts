import { Injectable, Logger } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { alignUp, intersect, isCovered, slots, Span, subtractSpans } from './coverage-math';
import { CoverageRepository, seriesKey } from './coverage.repository';
import { archiveHint, lastClosedCandle, route, RoutedSpan } from './fillability';
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

/** The unique index on open gap records (asset, interval, start) refused an insert or re-span. */
function isOpenGapConflict(e: unknown): boolean {
  const driver = (e as { driverError?: { code?: unknown; constraint?: unknown } } | null)?.driverError;
  return driver?.code === '23505' && driver.constraint === 'uq_gap_records_open_start';
}
const toSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
const toDate = (s: number) => new Date(s * 1000);

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
   * for their open gap records, one transaction for the changes.
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
    const changes = { resolve: [] as GapRecord[], update: [] as GapRecord[], insert: [] as GapRecord[] };
    const results: SeriesDetection[] = [];
    for (const { asset, intervalMinutes } of series) {
      const key = seriesKey({ assetId: asset.id, intervalMinutes });
      const r = await this.reconcile(asset, intervalMinutes, coverage.get(key) ?? [], openGaps.get(key) ?? [], now, opts);
      changes.resolve.push(...r.resolve);
      changes.update.push(...r.update);
      changes.insert.push(...r.insert);
      results.push(r.detection);
    }
    await this.gaps.applyChanges(changes);
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
        `gap detection over ${results.length} series: ${changes.insert.length} new, ${changes.update.length} changed, ${changes.resolve.length} resolved gap record(s) in ${changed} series`,
      );
    }
    return {
      series: results,
      inserted: changes.insert.length,
      updated: changes.update.length,
      resolved: changes.resolve.length,
    };
  }

  private async reconcile(
    asset: Asset,
    intervalMinutes: number,
    covered: readonly Span[],
    existing: readonly GapRecord[],
    now: number,
    opts: DetectOptions,
  ): Promise<{ detection: SeriesDetection; resolve: GapRecord[]; update: GapRecord[]; insert: GapRecord[] }> {
    const step = intervalMinutes * 60;
    const window = this.expectedWindow(covered, now, intervalMinutes, opts);
    const routed = window
      ? subtractSpans(window, covered, step).flatMap((g) => route(g, now, intervalMinutes, this.config.tradesBackfill))
      : [];

    const used = new Set<GapRecord>();
    const update: GapRecord[] = [];
    const insert: GapRecord[] = [];
    for (const span of routed) {
      const match = this.bestMatch(existing, used, span);
      if (!match) {
        insert.push(this.newGap(asset, intervalMinutes, span));
        continue;
      }
      used.add(match);
      if (this.respan(match, asset, span)) update.push(match);
    }

    const resolve: GapRecord[] = [];
    for (const gap of existing) {
      if (used.has(gap)) continue;
      const span = { from: toSeconds(gap.startTs), to: toSeconds(gap.endTs) };
      if (isCovered(span, covered, step)) {
        // Verified against coverage; the store tells filled candles from a no-trade span.
        const candles = await this.candles.count({ assetId: asset.id, symbol: asset.symbol, intervalMinutes }, span);
        if (candles > 0) gap.markFilled(candles, this.clock.now());
        else gap.markVerifiedEmpty(this.clock.now(), 'covered by a source that had no trade in the span');
        resolve.push(gap);
      } else if (window && intersect(span, window)) {
        // Overlaps a current gap that another record already stands for: a duplicate.
        gap.ignore(this.clock.now(), 'superseded by another gap record of the same span');
        resolve.push(gap);
      }
      // Outside the window (e.g. an incremental run) and still uncovered: left as it is.
    }

    const open = existing
      .filter((g) => !g.isResolved)
      .concat(insert)
      .sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
    return {
      detection: { asset, intervalMinutes, window, open, inserted: insert.length, updated: update.length, resolved: resolve.length },
      resolve,
      update,
      insert,
    };
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
      from = covered.length ? Math.min(...covered.map((s) => s.from)) : floor;
    }
    return from <= last ? { from, to: last } : null;
  }

  private bestMatch(existing: readonly GapRecord[], used: ReadonlySet<GapRecord>, span: RoutedSpan): GapRecord | undefined {
    const overlapping = existing.filter(
      (g) => !used.has(g) && toSeconds(g.startTs) <= span.to && toSeconds(g.endTs) >= span.from,
    );
    return (
      overlapping.find((g) => toSeconds(g.startTs) === span.from && g.fillability === span.fillability) ??
      overlapping.find((g) => g.fillability === span.fillability) ??
      overlapping[0]
    );
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
