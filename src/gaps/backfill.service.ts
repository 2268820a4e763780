import { Injectable, Logger } from '@nestjs/common';
import { AssetRepository } from '../assets/asset.repository';
import { Asset } from '../entities/asset.entity';
import { Tier } from '../entities/enums';
import { GapRecord } from '../entities/gap-record.entity';
import { BudgetExhaustedError, CallBudget } from './call-budget';
import { CoverageRepository } from './coverage.repository';
import { DetectOptions, GapDetectorService, SeriesSelection } from './gap-detector.service';
import { GapRepository } from './gap.repository';
import { FillOutcome, OhlcBackfillService } from './ohlc-backfill.service';
import { SeriesLockRepository } from './series-lock.repository';
import { TradesBackfillService } from './trades-backfill.service';

/** Intervals every selected asset is kept current in when `--intervals` is not given (plus any it already has). */
export const DEFAULT_BACKFILL_INTERVALS = [60, 1440] as const;
export const DEFAULT_LOOKBACK_DAYS = 30;

export interface BackfillOptions extends DetectOptions {
  tier?: Tier;
  intervals?: readonly number[];
  /** Explicit series (e.g. those an ingest run touched) instead of tier/intervals selection. */
  series?: SeriesSelection[];
  maxCalls?: number;
  /** Detect only: no API call (ARCHIVE_ONLY gaps still go to the download list). */
  noApi?: boolean;
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
  gaps_detected: number;
  gaps_filled: number;
  gaps_partial: number;
  gaps_verified_empty: number;
  gaps_unfillable: number;
  gaps_failed: number;
  total_candles_filled: number;
  api_calls: number;
  download_list: DownloadListEntry[];
}

const FILLABLE = new Set(['DETECTED', 'PARTIAL', 'FAILED']);

/**
 * Detect, then fill: each series is claimed (advisory lock) so that two
 * processes never fill the same gap or repeat a call; under the claim its
 * gaps are re-detected (another process may just have filled them) and
 * routed — API_OHLC gaps with one OHLC request, API_TRADES gaps from trades,
 * ARCHIVE_ONLY gaps to the download list. A failing series marks its gaps
 * FAILED and the others go on.
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
    const summary: BackfillSummary = {
      assets_processed: 0,
      series_processed: 0,
      series_skipped_locked: 0,
      gaps_detected: 0,
      gaps_filled: 0,
      gaps_partial: 0,
      gaps_verified_empty: 0,
      gaps_unfillable: 0,
      gaps_failed: 0,
      total_candles_filled: 0,
      api_calls: 0,
      download_list: [],
    };
    const detection = await this.detector.detect(series, opts);
    summary.gaps_detected = detection.series.reduce((n, s) => n + s.open.length, 0);
    const assetsSeen = new Set<number>();
    for (const s of detection.series) {
      summary.series_processed++;
      assetsSeen.add(s.asset.id);
      if (s.open.length === 0) continue;
      if (opts.noApi) {
        await this.collectArchiveGaps(s.asset, s.open, summary, false);
        continue;
      }
      const claimed = await this.locks.withSeriesLock({ assetId: s.asset.id, intervalMinutes: s.intervalMinutes }, async () => {
        // Under the claim, look again: another process may have filled this series meanwhile.
        const [fresh] = (await this.detector.detect([{ asset: s.asset, intervalMinutes: s.intervalMinutes }], opts)).series;
        await this.fillSeries(s.asset, s.intervalMinutes, fresh?.open ?? [], budget, summary);
      });
      if (!claimed) {
        summary.series_skipped_locked++;
        this.logger.log(`${s.asset.symbol} ${s.intervalMinutes}m is being filled by another process: skipped`);
      }
    }
    summary.assets_processed = assetsSeen.size;
    summary.api_calls = budget.used;
    return summary;
  }

  private async fillSeries(asset: Asset, interval: number, open: GapRecord[], budget: CallBudget, summary: BackfillSummary): Promise<void> {
    const tally = (o: FillOutcome) => {
      summary.gaps_filled += o.filled;
      summary.gaps_partial += o.partial;
      summary.gaps_verified_empty += o.verifiedEmpty;
      summary.gaps_failed += o.failed;
      summary.total_candles_filled += o.candles;
    };
    const ohlcGaps = open.filter((g) => g.fillability === 'API_OHLC' && FILLABLE.has(g.status));
    const tradesGaps = open.filter((g) => g.fillability === 'API_TRADES' && FILLABLE.has(g.status));
    try {
      if (ohlcGaps.length && !budget.exhausted) tally(await this.ohlc.fill(asset, interval, ohlcGaps, budget));
      for (const gap of tradesGaps) tally(await this.trades.fill(asset, gap, budget));
    } catch (e) {
      if (e instanceof BudgetExhaustedError) return;
      const message = e instanceof Error ? e.message : String(e);
      this.logger.error(`${asset.symbol} ${interval}m: backfill failed: ${message}`);
      const filling = open.filter((g) => g.status === 'FILLING');
      for (const g of filling) g.markFailed(message);
      await this.gapRepo.saveAll(filling);
      summary.gaps_failed += filling.length;
    }
    await this.collectArchiveGaps(asset, open, summary, true);
  }

  /** ARCHIVE_ONLY gaps: UNFILLABLE by the API (with the archive that holds them) and on the download list. */
  private async collectArchiveGaps(asset: Asset, open: GapRecord[], summary: BackfillSummary, mark: boolean): Promise<void> {
    const archive = open.filter((g) => g.fillability === 'ARCHIVE_ONLY' && !g.isResolved);
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
