import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { KrakenUnreachableError } from '../sources/kraken/kraken.errors';
import { BudgetExhaustedError, CallBudget } from './call-budget';
import { DetectOptions, GapDetectorService, SeriesDetection, SeriesSelection } from '../gaps/gap-detector.service';
import { GapRetryPolicy } from '../gaps/gap-retry.policy';
import { GapRepository } from '../gaps/gap.repository';
import { FillOutcome, OhlcBackfillService } from './ohlc-backfill.service';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { SeriesChoice, SeriesSelectorService } from '../gaps/series-selector.service';
import { SuspectService } from '../gaps/suspect.service';
import { TradesBackfillService } from './trades-backfill.service';
import { TradesEstimatorService } from './trades-estimator.service';
import { BackfillProgress, NO_BACKFILL_PROGRESS } from './backfill-progress';
import { seriesKey } from '../common/series';
import { toSeconds } from '../common/time';

/** How far back an incremental run fills when no --lookback-days is given. */
export const DEFAULT_LOOKBACK_DAYS = 30;
const DAY = 86_400;

export interface BackfillOptions extends Omit<DetectOptions, 'dryRun'>, SeriesChoice {
  /** Explicit series (e.g. those an ingest run touched) instead of a SeriesChoice. */
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
  /** Fill nothing after this instant (epoch seconds, inclusive; `--to`); the ledger still covers every window. */
  fillUntil?: number;
  /** Aborted (by SIGINT/SIGTERM): no request after the one in hand, every record left resumable. */
  signal?: AbortSignal;
  /** Told of series, gaps, requests and candles as the run goes (the CLI's bar or periodic lines). */
  progress?: BackfillProgress;
}

/** One series in `backfill --dry-run`: what the run would take up and what it would cost. */
export interface SeriesPlan {
  symbol: string;
  interval: number;
  /** Open records (gaps and suspects, IGNORED ones aside) as detection would leave them. */
  gaps: number;
  /** 1 when the series has OHLC-window work (one request fills it all), else 0. */
  ohlc_requests: number;
  trades_gaps: number;
  /** Candles the trades fills would rebuild (from each record's cursor, inside the fill window). */
  trades_candles: number;
  /** Estimated Trades requests; null when no candle of the asset tells its trade rate. */
  trades_requests: number | null;
  /** The recent trades per candle the estimate is based on, and the interval it was measured on. */
  trades_per_candle: number | null;
  measured_on_interval: number | null;
  archive_only_gaps: number;
  /** FAILED records waiting for their retry time (`--retry-failed` takes them). */
  deferred: number;
  /** The requests at KRAKEN_RPS; null when the trades estimate is unknown. */
  seconds: number | null;
}

export interface BackfillPlan {
  dry_run: true;
  kraken_rps: number;
  /** The series with open records. */
  series: SeriesPlan[];
  totals: {
    series_selected: number;
    series_with_work: number;
    gaps: number;
    ohlc_requests: number;
    trades_requests: number;
    /** Series whose trades requests could not be estimated (left out of `requests`). */
    trades_unknown: number;
    requests: number;
    seconds: number;
    /** Trades requests are estimates (from recent trades per candle), OHLC requests exact. */
    estimated: boolean;
  };
  download_list: DownloadListEntry[];
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
export function leftWorkUndone(
  s: Pick<BackfillSummary, 'gaps_failed' | 'gaps_partial' | 'gaps_deferred' | 'series_skipped_locked' | 'interrupted'>,
): boolean {
  return (
    s.interrupted !== null ||
    s.gaps_failed > 0 ||
    s.gaps_partial > 0 ||
    s.gaps_deferred > 0 ||
    s.series_skipped_locked > 0
  );
}

/** Records a filler may work on (FAILED ones once their retry time has come). */
const FILLABLE = new Set(['DETECTED', 'SUSPECT', 'PARTIAL', 'FAILED']);

const emptySummary = (): BackfillSummary => ({
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
});

/** ARCHIVE_ONLY records still to download: open and not IGNORED. */
const toDownload = (records: readonly GapRecord[]) =>
  records.filter((g) => g.fillability === 'ARCHIVE_ONLY' && !g.isResolved && g.status !== 'IGNORED');

const downloadEntry = (asset: Asset, g: GapRecord): DownloadListEntry => ({
  symbol: asset.symbol,
  interval: g.intervalMinutes,
  start_ts: g.startTs.toISOString(),
  end_ts: g.endTs.toISOString(),
  archive_hint: g.archiveHint ?? '',
});

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
    private readonly selector: SeriesSelectorService,
    private readonly gapRepo: GapRepository,
    private readonly detector: GapDetectorService,
    private readonly ohlc: OhlcBackfillService,
    private readonly trades: TradesBackfillService,
    private readonly locks: AdvisoryLockRepository,
    private readonly retry: GapRetryPolicy,
    private readonly suspects: SuspectService,
    private readonly estimator: TradesEstimatorService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async run(opts: BackfillOptions): Promise<BackfillSummary> {
    const series = opts.series ?? (await this.selector.select(opts));
    const progress = opts.progress ?? NO_BACKFILL_PROGRESS;
    const budget = new CallBudget(opts.maxCalls, () => progress.call());
    const stop = () => budget.stop(String(opts.signal?.reason ?? 'a signal'));
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    const summary = emptySummary();
    const detection = await this.detector.detect(series, opts);
    const suspects = await this.suspectsOf(series);
    // The estimate behind the ETA costs a few reads per series with trades work: only when someone watches.
    if (opts.progress)
      progress.begin({
        series: detection.series.length,
        requests: (await this.estimate(detection.series, suspects, opts)).totals.requests,
      });
    summary.gaps_detected = detection.series.reduce(
      (n, s) => n + s.open.filter((g) => g.status !== 'IGNORED').length,
      0,
    );
    const archiveOnly = new Set<string>();
    const assetsSeen = new Set<number>();
    for (const s of detection.series) {
      if (budget.interruptedBy) break; // the series not reached keep their records as detected
      summary.series_processed++;
      progress.seriesStarted(summary.series_processed, `${s.asset.symbol} ${s.intervalMinutes}m`);
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
      const claimed = await this.locks.withLock(
        LockKeys.series({ assetId: s.asset.id, intervalMinutes: s.intervalMinutes }),
        async () => {
          // Holding the claim, nobody else is filling this series: a FILLING record is a dead process's, taken over.
          await this.takeOver(s.asset, s.intervalMinutes);
          // Under the claim, look again: another process may have filled this series meanwhile.
          const [fresh] = (await this.detector.detect([{ asset: s.asset, intervalMinutes: s.intervalMinutes }], opts))
            .series;
          const freshSuspects = (await this.gapRepo.openSuspectsFor([s.asset.id], [s.intervalMinutes])).get(key) ?? [];
          await this.fillSeries(
            s.asset,
            s.intervalMinutes,
            [...(fresh?.open ?? []), ...freshSuspects],
            budget,
            summary,
            opts,
          );
        },
        { waitMs: this.config.backfill.claimWaitMs },
      );
      if (!claimed) {
        summary.series_skipped_locked++;
        this.logger.warn(
          `${s.asset.symbol} ${s.intervalMinutes}m is being written by another process (still after ` +
            `${this.config.backfill.claimWaitMs} ms): skipped, run again`,
        );
      }
    }
    if (archiveOnly.size) {
      this.logger.log(
        `${summary.series_skipped_archive_only} series of ${archiveOnly.size} archive-only asset(s) ` +
          `not sent to the API (Kraken does not list them): ${[...archiveOnly].join(', ')}`,
      );
    }
    opts.signal?.removeEventListener('abort', stop);
    progress.end();
    summary.assets_processed = assetsSeen.size;
    summary.api_calls = budget.used;
    summary.interrupted = budget.interruptedBy;
    return summary;
  }

  /**
   * `backfill --dry-run`: the selection and the records detection would
   * leave (nothing written), and per series the requests a run would make —
   * OHLC exact, trades estimated — and their time at KRAKEN_RPS. No call.
   */
  async plan(opts: BackfillOptions): Promise<BackfillPlan> {
    const series = opts.series ?? (await this.selector.select(opts));
    const detection = await this.detector.detect(series, { ...opts, dryRun: true });
    return this.estimate(detection.series, await this.suspectsOf(series), opts);
  }

  private async estimate(
    detected: readonly SeriesDetection[],
    suspects: Map<string, GapRecord[]>,
    opts: BackfillOptions,
  ): Promise<BackfillPlan> {
    const rps = this.config.kraken.rps;
    const { from, to } = this.fillWindow(opts);
    const plans: SeriesPlan[] = [];
    const downloads: DownloadListEntry[] = [];
    for (const s of detected) {
      const records = [
        ...s.open.filter((g) => g.status !== 'IGNORED'),
        ...(suspects.get(seriesKey({ assetId: s.asset.id, intervalMinutes: s.intervalMinutes })) ?? []),
      ];
      if (records.length === 0) continue;
      const archive = toDownload(records);
      downloads.push(...archive.map((g) => downloadEntry(s.asset, g)));
      const work = opts.noApi || s.asset.archiveOnly ? { ohlc: [], trades: [], deferred: 0 } : this.work(records, opts);
      const step = s.intervalMinutes * 60;
      const spans = work.trades.map((g) => {
        const cursorAt =
          g.cursor === null ? -Infinity : Math.floor(Number(BigInt(g.cursor) / 1_000_000_000n) / step) * step;
        const lo = Math.max(
          toSeconds(g.startTs),
          cursorAt,
          from === undefined ? -Infinity : Math.ceil(from / step) * step,
        );
        const hi = Math.min(toSeconds(g.endTs), to === undefined ? Infinity : Math.floor(to / step) * step);
        return hi >= lo ? hi - lo + step : 0;
      });
      const rate = work.trades.length ? await this.estimator.rate(s.asset, s.intervalMinutes) : null;
      const tradesRequests =
        work.trades.length === 0
          ? 0
          : rate
            ? spans.reduce((n, sec) => n + this.estimator.requests(rate, sec), 0)
            : null;
      const ohlcRequests = work.ohlc.length ? 1 : 0;
      plans.push({
        symbol: s.asset.symbol,
        interval: s.intervalMinutes,
        gaps: records.length,
        ohlc_requests: ohlcRequests,
        trades_gaps: work.trades.length,
        trades_candles: spans.reduce((n, sec) => n + sec / step, 0),
        trades_requests: tradesRequests,
        trades_per_candle: rate ? Math.round(rate.perSecond * step * 100) / 100 : null,
        measured_on_interval: rate?.measuredOn ?? null,
        archive_only_gaps: archive.length,
        deferred: work.deferred,
        seconds: tradesRequests === null ? null : (ohlcRequests + tradesRequests) / rps,
      });
    }
    const sum = (f: (p: SeriesPlan) => number) => plans.reduce((n, p) => n + f(p), 0);
    const requests = sum((p) => p.ohlc_requests + (p.trades_requests ?? 0));
    return {
      dry_run: true,
      kraken_rps: rps,
      series: plans,
      totals: {
        series_selected: detected.length,
        series_with_work: plans.filter((p) => p.ohlc_requests || p.trades_gaps).length,
        gaps: sum((p) => p.gaps),
        ohlc_requests: sum((p) => p.ohlc_requests),
        trades_requests: sum((p) => p.trades_requests ?? 0),
        trades_unknown: plans.filter((p) => p.trades_requests === null).length,
        requests,
        seconds: requests / rps,
        estimated: plans.some((p) => p.trades_gaps > 0),
      },
      download_list: downloads,
    };
  }

  private suspectsOf(series: readonly SeriesSelection[]): Promise<Map<string, GapRecord[]>> {
    return this.gapRepo.openSuspectsFor(
      [...new Set(series.map((s) => s.asset.id))],
      [...new Set(series.map((s) => s.intervalMinutes))],
    );
  }

  /** Records of the series left FILLING (its claim is ours, so their filler is gone) go back to work. */
  private async takeOver(asset: Asset, interval: number): Promise<void> {
    const stuck = await this.gapRepo.fillingOf({ assetId: asset.id, intervalMinutes: interval });
    if (stuck.length === 0) return;
    for (const g of stuck) g.releaseStuck();
    await this.gapRepo.saveAll(stuck);
    this.logger.warn(
      `${asset.symbol} ${interval}m: took over ${stuck.length} record(s) left FILLING by a process that stopped`,
    );
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
    await this.suspects.reroute(
      asset,
      records.filter((g) => g.kind === 'suspect' && !g.isResolved),
    );
    const work = this.work(records, opts);
    summary.gaps_deferred += work.deferred;
    const { from, to } = this.fillWindow(opts);
    const ohlcWork = work.ohlc;
    const tradesWork: GapRecord[] = [];
    for (const g of work.trades) {
      let part = g;
      if (from !== undefined) part = (await this.splitAt(asset, part, from))?.[1] ?? part;
      if (to !== undefined) part = (await this.splitAt(asset, part, to + 1))?.[0] ?? part;
      tradesWork.push(part);
    }
    // Each source fails only its own records: an OHLC failure does not keep the trades-fillable ones from being tried.
    await this.attempt(asset, interval, ohlcWork, summary, async () => {
      if (ohlcWork.length && !budget.exhausted) {
        opts.progress?.gapStarted(`${ohlcWork.length} gap(s) from the OHLC window`);
        const outcome = await this.ohlc.fill(asset, interval, ohlcWork, budget);
        opts.progress?.candles(outcome.candles);
        tally(outcome);
      }
    });
    for (const gap of tradesWork) {
      if (budget.exhausted) break; // a record no call was spent on stays as it is
      opts.progress?.gapStarted(
        `gap ${gap.id} ${gap.startTs.toISOString().slice(0, 16)}..${gap.endTs.toISOString().slice(0, 16)} from trades`,
      );
      const fill = async () =>
        tally(await this.trades.fill(asset, gap, budget, (candles) => opts.progress?.page(candles)));
      if (!(await this.attempt(asset, interval, [gap], summary, fill))) break;
    }
    await this.collectArchiveGaps(asset, records, summary, true);
  }

  /**
   * Runs one source's fill; a failure marks the records it left FILLING FAILED
   * (with their retry time) and is counted. False when the call budget is spent.
   */
  private async attempt(
    asset: Asset,
    interval: number,
    records: GapRecord[],
    summary: BackfillSummary,
    fill: () => Promise<void>,
  ): Promise<boolean> {
    try {
      await fill();
      return true;
    } catch (e) {
      if (e instanceof BudgetExhaustedError || e instanceof KrakenUnreachableError) {
        // Spent between a call's attempts, or Kraken not answering at all: what it left FILLING goes back as it
        // was (a trades cursor kept), no failure counted against the gap. Unreachable stops the whole run.
        const filling = records.filter((g) => g.status === 'FILLING');
        for (const g of filling) {
          if (e instanceof KrakenUnreachableError) g.abandonAttempt();
          else g.releaseStuck();
        }
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
   * The records a run takes up, by source: those due (FAILED ones once their
   * retry time has come) inside its fill window; OHLC-fillable ones all or
   * none (one request fills them all), trades-fillable ones not split yet.
   */
  private work(
    records: readonly GapRecord[],
    opts: BackfillOptions,
  ): { ohlc: GapRecord[]; trades: GapRecord[]; deferred: number } {
    const candidates = records.filter((g) => FILLABLE.has(g.status));
    const due = candidates.filter((g) => this.retry.isDue(g, opts.retryFailed));
    const { from, to } = this.fillWindow(opts);
    const inWindow = (g: GapRecord) =>
      (from === undefined || toSeconds(g.endTs) >= from) && (to === undefined || toSeconds(g.startTs) <= to);
    const ohlc = due.filter((g) => g.fillability === 'API_OHLC');
    return {
      ohlc: ohlc.some(inWindow) ? ohlc : [],
      trades: due.filter((g) => g.fillability === 'API_TRADES' && inWindow(g)),
      deferred: candidates.length - due.length,
    };
  }

  /**
   * What a run fills (the ledger still covers every window): from the
   * incremental floor (now − lookback) or `--from`, whichever is later, up to
   * `--to`; epoch seconds, both inclusive.
   */
  private fillWindow(opts: BackfillOptions): { from?: number; to?: number } {
    const floors = [
      ...(opts.incremental ? [this.clock.nowSeconds() - (opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * DAY] : []),
      ...(opts.expectFrom !== undefined ? [opts.expectFrom] : []),
    ];
    return { from: floors.length ? Math.max(...floors) : undefined, to: opts.fillUntil };
  }

  /**
   * A run that fills only part of a record's span splits it at `at` (aligned
   * up to its interval): the older part keeps the record (and its cursor
   * unless the cursor points into the recent part) and the recent part gets a
   * new one; [older, recent], or null when `at` does not fall inside the span.
   */
  private async splitAt(asset: Asset, gap: GapRecord, at: number): Promise<[GapRecord, GapRecord] | null> {
    const recent = gap.splitAt(at, this.clock.now());
    if (!recent) return null;
    // One transaction: at no moment does part of the span lack its record.
    await this.gapRepo.saveAllInTransaction([gap, recent]);
    this.logger.log(
      `${asset.symbol} ${gap.intervalMinutes}m: gap ${gap.id} split at the fill window: ` +
        `gap ${recent.id} takes ${recent.startTs.toISOString()}..${recent.endTs.toISOString()}, ` +
        `gap ${gap.id} keeps ..${gap.endTs.toISOString()}`,
    );
    return [gap, recent];
  }

  /** ARCHIVE_ONLY records: UNFILLABLE by the API (with the archive that holds them) and on the download list. */
  private async collectArchiveGaps(
    asset: Asset,
    open: GapRecord[],
    summary: BackfillSummary,
    mark: boolean,
  ): Promise<void> {
    const archive = toDownload(open);
    for (const g of archive) {
      summary.download_list.push(downloadEntry(asset, g));
      if (mark && g.status !== 'UNFILLABLE')
        g.markUnfillable(`older than the OHLC window and trades backfill is off: download ${g.archiveHint}`);
    }
    summary.gaps_unfillable += archive.length;
    if (mark && archive.length) await this.gapRepo.saveAll(archive);
  }
}
