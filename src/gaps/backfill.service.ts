import { Injectable, Logger } from '@nestjs/common';
import { AssetRepository } from '../assets/asset.repository';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { Tier } from '../entities/enums';
import { GapRecord } from '../entities/gap-record.entity';
import { KrakenUnreachableError } from '../sources/kraken/kraken.errors';
import { BudgetExhaustedError, CallBudget } from './call-budget';
import { slots } from './coverage-math';
import { CoverageRepository, seriesKey } from './coverage.repository';
import { DetectOptions, GapDetectorService, SeriesSelection } from './gap-detector.service';
import { GapRetryPolicy } from './gap-retry.policy';
import { GapRepository } from './gap.repository';
import { FillOutcome, OhlcBackfillService } from './ohlc-backfill.service';
import { SeriesLockRepository } from './series-lock.repository';
import { SuspectService } from './suspect.service';
import { TradesBackfillService } from './trades-backfill.service';

/** Intervals every selected asset is kept current in when `--intervals` is not given (plus any it already has). */
export const DEFAULT_BACKFILL_INTERVALS = [60, 1440] as const;
/** How far back an incremental run fills when no --lookback-days is given. */
export const DEFAULT_LOOKBACK_DAYS = 30;
const DAY = 86_400;

export interface BackfillOptions extends DetectOptions {
  tier?: Tier;
  intervals?: readonly number[];
  /** Explicit series (e.g. those an ingest run touched) instead of tier/intervals selection. */
  series?: SeriesSelection[];
  maxCalls?: number;
  /** Detect only: no API call (ARCHIVE_ONLY gaps still go to the download list). */
  noApi?: boolean;
  /**
   * Fill only what lies in the last `lookbackDays` (DEFAULT_LOOKBACK_DAYS
   * when not given): a trades-fillable record straddling that start is split
   * there and only its recent part filled; OHLC-fillable records are taken
   * whole (the one request a series needs fills them all). Detection and the
   * ledger still cover each series' whole window.
   */
  incremental?: boolean;
  /** Retry FAILED gaps now instead of waiting for their retry time. */
  retryFailed?: boolean;
  /** Aborted (by SIGINT/SIGTERM): no request after the one in hand, every record left resumable. */
  signal?: AbortSignal;
}

export interface DownloadListEntry {
  symbol: string;
  interval: number;
  start_ts: string;
  end_ts: string;
  archive_hint: string;
}

export interface BackfillSummary {
  assets_processed: number;
  series_processed: number;
  series_skipped_locked: number;
  /** Series of archive-only assets (not listed by Kraken): never sent to the API. */
  series_skipped_archive_only: number;
  gaps_detected: number;
  /** Open suspect records (covered spans without candles that something contradicts) seen by the run. */
  suspects: number;
  gaps_filled: number;
  gaps_partial: number;
  gaps_verified_empty: number;
  gaps_unfillable: number;
  gaps_failed: number;
  /** FAILED gaps not retried because their retry time has not come (`--retry-failed` forces them). */
  gaps_deferred: number;
  total_candles_filled: number;
  api_calls: number;
  download_list: DownloadListEntry[];
  /** The signal that stopped the run before its end (SIGINT, SIGTERM), or null. */
  interrupted: string | null;
}

/**
 * The run left work undone: a gap failed, stopped short, waits for its retry time (still failed) or belonged to
 * a series another process kept writing, or the run was interrupted.
 */
export function leftWorkUndone(s: Pick<BackfillSummary, 'gaps_failed' | 'gaps_partial' | 'gaps_deferred' | 'series_skipped_locked' | 'interrupted'>): boolean {
  return s.interrupted !== null || s.gaps_failed > 0 || s.gaps_partial > 0 || s.gaps_deferred > 0 || s.series_skipped_locked > 0;
}

/** Records a filler may work on (FAILED ones once their retry time has come). */
const FILLABLE = new Set(['DETECTED', 'SUSPECT', 'PARTIAL', 'FAILED']);
const toSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Detect, then fill: each series is claimed (advisory lock) so that two
 * processes never fill the same gap or repeat a call; under the claim a
 * record left FILLING by a process that died is taken over, the series' gaps
 * are re-detected (another process may just have filled them) and routed —
 * API_OHLC gaps and suspects with one OHLC request, API_TRADES ones from
 * trades, ARCHIVE_ONLY ones to the download list. Each source's failure
 * fails only its own records, which then wait for their retry time.
 */
@Injectable()
export class BackfillService {
  private readonly logger = new Logger(BackfillService.name);

  constructor(
    private readonly assets: AssetRepository,
    private readonly coverage: CoverageRepository,
    private readonly gapRepo: GapRepository,
    private readonly detector: GapDetectorService,
    private readonly ohlc: OhlcBackfillService,
    private readonly trades: TradesBackfillService,
    private readonly locks: SeriesLockRepository,
    private readonly retry: GapRetryPolicy,
    private readonly suspects: SuspectService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async selectSeries(tier: Tier | undefined, intervals: readonly number[] | undefined): Promise<SeriesSelection[]> {
    const assets = await this.assets.findAll({ tier, active: true });
    if (intervals?.length) return assets.flatMap((asset) => intervals.map((intervalMinutes) => ({ asset, intervalMinutes })));
    const covered = await this.coverage.coveredSeries(assets.map((a) => a.id));
    return assets.flatMap((asset) => {
      const own = covered.filter((c) => c.assetId === asset.id).map((c) => c.intervalMinutes);
      return [...new Set([...DEFAULT_BACKFILL_INTERVALS, ...own])].sort((a, b) => a - b).map((intervalMinutes) => ({ asset, intervalMinutes }));
    });
  }

  async run(opts: BackfillOptions): Promise<BackfillSummary> {
    const series = opts.series ?? (await this.selectSeries(opts.tier, opts.intervals));
    const budget = new CallBudget(opts.maxCalls);
    const stop = () => budget.stop(String(opts.signal?.reason ?? 'a signal'));
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const summary: BackfillSummary = {
      assets_processed: 0,
      series_processed: 0,
      series_skipped_locked: 0,
      series_skipped_archive_only: 0,
      gaps_detected: 0,
      suspects: 0,
      gaps_filled: 0,
      gaps_partial: 0,
      gaps_verified_empty: 0,
      gaps_unfillable: 0,
      gaps_failed: 0,
      gaps_deferred: 0,
      total_candles_filled: 0,
      api_calls: 0,
      download_list: [],
      interrupted: null,
    };
    const detection = await this.detector.detect(series, opts);
    const suspects = await this.gapRepo.openSuspectsFor(
      [...new Set(series.map((s) => s.asset.id))],
      [...new Set(series.map((s) => s.intervalMinutes))],
    );
    summary.gaps_detected = detection.series.reduce((n, s) => n + s.open.filter((g) => g.status !== 'IGNORED').length, 0);
    const archiveOnly = new Set<string>();
    const assetsSeen = new Set<number>();
    for (const s of detection.series) {
      if (budget.interruptedBy) break; // the series not reached keep their records as detected
      summary.series_processed++;
      assetsSeen.add(s.asset.id);
      const key = seriesKey({ assetId: s.asset.id, intervalMinutes: s.intervalMinutes });
      const seriesSuspects = suspects.get(key) ?? [];
      summary.suspects += seriesSuspects.length;
      if (s.open.length === 0 && seriesSuspects.length === 0) continue;
      if (opts.noApi || s.asset.archiveOnly) {
        if (s.asset.archiveOnly && !opts.noApi) {
          summary.series_skipped_archive_only++;
          archiveOnly.add(s.asset.symbol);
        }
        await this.suspects.reroute(s.asset, seriesSuspects);
        await this.collectArchiveGaps(s.asset, [...s.open, ...seriesSuspects], summary, false);
        continue;
      }
      const claimed = await this.locks.withSeriesLock({ assetId: s.asset.id, intervalMinutes: s.intervalMinutes }, async () => {
        // Holding the claim, nobody else is filling this series: a FILLING record is a dead process's, taken over.
        await this.takeOver(s.asset, s.intervalMinutes);
        // Under the claim, look again: another process may have filled this series meanwhile.
        const [fresh] = (await this.detector.detect([{ asset: s.asset, intervalMinutes: s.intervalMinutes }], opts)).series;
        const freshSuspects = (await this.gapRepo.openSuspectsFor([s.asset.id], [s.intervalMinutes])).get(key) ?? [];
        await this.fillSeries(s.asset, s.intervalMinutes, [...(fresh?.open ?? []), ...freshSuspects], budget, summary, opts);
      }, { waitMs: this.config.backfillClaimWaitMs });
      if (!claimed) {
        summary.series_skipped_locked++;
        this.logger.warn(
          `${s.asset.symbol} ${s.intervalMinutes}m is being written by another process (still after ${this.config.backfillClaimWaitMs} ms): skipped, run again`,
        );
      }
    }
    if (archiveOnly.size) {
      this.logger.log(
        `${summary.series_skipped_archive_only} series of ${archiveOnly.size} archive-only asset(s) not sent to the API (Kraken does not list them): ${[...archiveOnly].join(', ')}`,
      );
    }
    opts.signal?.removeEventListener('abort', stop);
    summary.assets_processed = assetsSeen.size;
    summary.api_calls = budget.used;
    summary.interrupted = budget.interruptedBy;
    return summary;
  }

  /** Records of the series left FILLING (its claim is ours, so their filler is gone) go back to work. */
  private async takeOver(asset: Asset, interval: number): Promise<void> {
    const stuck = await this.gapRepo.fillingOf({ assetId: asset.id, intervalMinutes: interval });
    if (stuck.length === 0) return;
    for (const g of stuck) g.releaseStuck();
    await this.gapRepo.saveAll(stuck);
    this.logger.warn(`${asset.symbol} ${interval}m: took over ${stuck.length} record(s) left FILLING by a process that stopped`);
  }

  private async fillSeries(
    asset: Asset,
    interval: number,
    records: GapRecord[],
    budget: CallBudget,
    summary: BackfillSummary,
    opts: BackfillOptions,
  ): Promise<void> {
    const tally = (o: FillOutcome) => {
      summary.gaps_filled += o.filled;
      summary.gaps_partial += o.partial;
      summary.gaps_verified_empty += o.verifiedEmpty;
      summary.gaps_failed += o.failed;
      summary.total_candles_filled += o.candles;
    };
    await this.suspects.reroute(asset, records.filter((g) => g.kind === 'suspect' && !g.isResolved));
    const candidates = records.filter((g) => FILLABLE.has(g.status));
    const due = candidates.filter((g) => this.retry.isDue(g, opts.retryFailed));
    summary.gaps_deferred += candidates.length - due.length;
    let ohlcWork = due.filter((g) => g.fillability === 'API_OHLC');
    let tradesWork = due.filter((g) => g.fillability === 'API_TRADES');
    if (opts.incremental) {
      const floor = this.clock.nowSeconds() - (opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * DAY;
      const recent = (g: GapRecord) => toSeconds(g.endTs) >= floor;
      if (!ohlcWork.some(recent)) ohlcWork = [];
      tradesWork = await Promise.all(tradesWork.filter(recent).map((g) => this.splitAt(asset, g, floor)));
    }
    // Each source fails only its own records: an OHLC failure does not keep the trades-fillable ones from being tried.
    await this.attempt(asset, interval, ohlcWork, summary, async () => {
      if (ohlcWork.length && !budget.exhausted) tally(await this.ohlc.fill(asset, interval, ohlcWork, budget));
    });
    for (const gap of tradesWork) {
      if (budget.exhausted) break; // a record no call was spent on stays as it is
      if (!(await this.attempt(asset, interval, [gap], summary, async () => tally(await this.trades.fill(asset, gap, budget))))) break;
    }
    await this.collectArchiveGaps(asset, records, summary, true);
  }

  /**
   * Runs one source's fill; a failure marks the records it left FILLING FAILED
   * (with their retry time) and is counted. False when the call budget is spent.
   */
  private async attempt(asset: Asset, interval: number, records: GapRecord[], summary: BackfillSummary, fill: () => Promise<void>): Promise<boolean> {
    try {
      await fill();
      return true;
    } catch (e) {
      if (e instanceof BudgetExhaustedError || e instanceof KrakenUnreachableError) {
        // Spent between a call's attempts, or Kraken not answering at all: what it left FILLING goes back as it
        // was (a trades cursor kept), no failure counted against the gap. Unreachable stops the whole run.
        const filling = records.filter((g) => g.status === 'FILLING');
        for (const g of filling) (e instanceof KrakenUnreachableError ? g.abandonAttempt() : g.releaseStuck());
        await this.gapRepo.saveAll(filling);
        if (e instanceof KrakenUnreachableError) throw e;
        return false;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.logger.error(`${asset.symbol} ${interval}m: backfill failed: ${message}`);
      const filling = records.filter((g) => g.status === 'FILLING');
      for (const g of filling) g.markFailed(message, this.retry.retryAt(g));
      await this.gapRepo.saveAll(filling);
      summary.gaps_failed += filling.length;
      return true;
    }
  }

  /**
   * An incremental run fills only from `floor` on: a record starting before it
   * is split there (aligned to its interval), the older part keeping the
   * record (and its cursor) and the recent part getting a new one, which is
   * returned to be filled.
   */
  private async splitAt(asset: Asset, gap: GapRecord, floor: number): Promise<GapRecord> {
    const step = gap.intervalMinutes * 60;
    const boundary = Math.ceil(floor / step) * step;
    const from = toSeconds(gap.startTs);
    const to = toSeconds(gap.endTs);
    if (boundary <= from || boundary > to) return gap;
    const recent = this.gapRepo.create({
      assetId: gap.assetId,
      intervalMinutes: gap.intervalMinutes,
      kind: gap.kind,
      startTs: new Date(boundary * 1000),
      endTs: gap.endTs,
      missingIntervals: slots({ from: boundary, to }, step),
      fillability: gap.fillability,
      status: gap.initialStatus,
      attempts: 0,
      candlesFilled: 0,
      reason: null,
      lastError: null,
      cursor: null,
      archiveHint: null,
      detectedAt: this.clock.now(),
      resolvedAt: null,
      nextAttemptAt: null,
    });
    // The trades cursor goes with the part it points into.
    if (gap.cursor !== null && Number(BigInt(gap.cursor) / 1_000_000_000n) >= boundary - 1) {
      recent.cursor = gap.cursor;
      gap.cursor = null;
    }
    gap.endTs = new Date((boundary - step) * 1000);
    gap.missingIntervals = slots({ from, to: boundary - step }, step);
    // One transaction: at no moment does part of the span lack its record.
    await this.gapRepo.saveAllInTransaction([gap, recent]);
    this.logger.log(
      `${asset.symbol} ${gap.intervalMinutes}m: gap ${gap.id} split at the incremental window: gap ${recent.id} takes ${recent.startTs.toISOString()}..${recent.endTs.toISOString()}, gap ${gap.id} keeps ..${gap.endTs.toISOString()}`,
    );
    return recent;
  }

  /** ARCHIVE_ONLY records: UNFILLABLE by the API (with the archive that holds them) and on the download list. */
  private async collectArchiveGaps(asset: Asset, open: GapRecord[], summary: BackfillSummary, mark: boolean): Promise<void> {
    const archive = open.filter((g) => g.fillability === 'ARCHIVE_ONLY' && !g.isResolved && g.status !== 'IGNORED');
    for (const g of archive) {
      summary.download_list.push({
        symbol: asset.symbol,
        interval: g.intervalMinutes,
        start_ts: g.startTs.toISOString(),
        end_ts: g.endTs.toISOString(),
        archive_hint: g.archiveHint ?? '',
      });
      if (mark && g.status !== 'UNFILLABLE') g.markUnfillable(`older than the OHLC window and trades backfill is off: download ${g.archiveHint}`);
    }
    summary.gaps_unfillable += archive.length;
    if (mark && archive.length) await this.gapRepo.saveAll(archive);
  }
}
