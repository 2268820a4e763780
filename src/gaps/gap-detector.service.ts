import { Inject, Injectable, Logger } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { CoverageRepository } from '../coverage/coverage.repository';
import { archiveHint } from './fillability';
import { GapChangeWriter } from './gap-change-writer';
import { planExpectedStarts, reconcileSeriesGaps } from './gap-reconciler';
import { GapRepository, isOpenGapConflict } from './gap.repository';
import { SeriesRepository } from '../coverage/series.repository';
import { seriesKey, Span } from '../common/series';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';
import { toSeconds } from '../common/time';

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

/** New gap records handed to the writer at a time (the database inserts one batch while the next is reconciled). */
const INSERT_BATCH = 5000;

/**
 * Gap detection from coverage ranges only (cost grows with ranges, not
 * candles). The gaps of a series are its whole expected window (from its
 * `series` start to the last closed candle) minus its coverage, split at the
 * OHLC window boundary and labelled by fillability, then reconciled with the
 * stored records so that the ledger invariant holds: the records stand for
 * exactly the uncovered spans. Every run, whatever its lookback, works on the
 * whole window (windowed runs limit what they fill, not what is recorded); an
 * unchanged series writes nothing.
 *
 * What changes is computed by gap-reconciler (pure); this service does the
 * I/O around it: reads the records, coverage and expected starts, records
 * new starts, settles covered records by what the store holds, writes the
 * changes (GapChangeWriter) and detects again when another process recorded
 * the same gaps meanwhile.
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
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
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

  private async detectOnce(series: ReadonlyArray<SeriesSelection>, opts: DetectOptions): Promise<DetectionResult> {
    const now = this.clock.nowSeconds();
    const assetIds = [...new Set(series.map((s) => s.asset.id))];
    const intervals = [...new Set(series.map((s) => s.intervalMinutes))];
    // Gap records first, coverage second: a filler commits coverage before it resolves a gap, so a gap seen
    // resolved here is always covered in what we read next (never re-detected as a new hole).
    const openGaps = await this.gaps.openFor(assetIds, intervals);
    const coverage = await this.coverage.spansFor(assetIds, intervals);
    const { starts, extended, fresh, log } = planExpectedStarts({
      exchange: this.exchange,
      series: series.map(({ asset, intervalMinutes }) => ({
        assetId: asset.id,
        intervalMinutes,
        symbol: asset.symbol,
      })),
      recorded: await this.series.startsFor(assetIds, intervals),
      coverage,
      now,
      lookbackDays: opts.lookbackDays,
      expectFrom: opts.expectFrom,
    });
    for (const line of log) this.logger.log(line);
    if (!opts.dryRun) {
      await this.series.expectFrom(extended);
      await this.series.expectIfNew(fresh);
    }
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
        const { window, plan } = reconcileSeriesGaps({
          exchange: this.exchange,
          series: { assetId: asset.id, intervalMinutes },
          start: starts.get(key)!,
          covered: coverage.get(key) ?? [],
          existing: openGaps.get(key) ?? [],
          nowSeconds: now,
          now: nowDate,
          tradesBackfill: this.config.backfill.fromTrades,
          archiveHint: (span) => archiveHint(this.exchange, asset.altname ?? asset.nativeSymbol, intervalMinutes, span),
        });
        for (const line of plan.log) {
          const message = `${asset.symbol} ${intervalMinutes}m: ${line}`;
          if (opts.dryRun) this.logger.debug(message);
          else this.logger.log(message);
        }
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
        `${r.asset.symbol} ${r.intervalMinutes}m: ${r.inserted} new, ${r.updated} changed, ` +
          `${r.resolved} resolved gap(s); ${r.open.length} open`,
      );
    }
    if (changed && !opts.dryRun) {
      this.logger.log(
        `gap detection over ${results.length} series: ${inserted} new, ${changes.update.length} changed, ` +
          `${changes.resolve.length} resolved gap record(s) in ${changed} series`,
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
   * Settles a record whose span is now covered: FILLED, or VERIFIED_EMPTY when the store holds no candle there (a
   * no-trade span).
   */
  private async resolveCovered(
    asset: Asset,
    intervalMinutes: number,
    gap: GapRecord,
    into: SeriesDetection,
  ): Promise<void> {
    const span = { from: toSeconds(gap.startTs), to: toSeconds(gap.endTs) };
    const candles = await this.candles.count({ assetId: asset.id, symbol: asset.symbol, intervalMinutes }, span);
    gap.settleCovered(candles, this.clock.now());
    into.resolved++;
  }
}
