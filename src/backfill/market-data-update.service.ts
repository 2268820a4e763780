import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { AssetCategory } from '../common/enums';
import { KrakenUnreachableError } from '../sources/kraken/kraken.errors';
import { CallBudget } from './call-budget';
import { CoverageRepository } from '../coverage/coverage.repository';
import { lastClosedCandle } from '../gaps/fillability';
import { GapDetectorService } from '../gaps/gap-detector.service';
import { OhlcBackfillService } from './ohlc-backfill.service';
import { SeriesSelectionError } from '../coverage/series.errors';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { SeriesSelectorService } from '../gaps/series-selector.service';
import { seriesKey } from '../common/series';

/** Per category: series updated (candles or coverage changed), asked but unchanged, failed, skipped (fresh or held). */
export interface CategoryCounts {
  success: number;
  unchanged: number;
  failed: number;
  skipped: number;
  error?: string;
}

export interface MarketDataUpdateResult {
  status: 'success' | 'partial' | 'failed';
  categories_processed: number;
  total_categories: number;
  summary: { total_success: number; total_unchanged: number; total_failed: number; total_skipped: number };
  details: Record<string, CategoryCounts>;
  force_update: boolean;
  /** Requests sent to Kraken, retries included. */
  api_calls: number;
}

export interface MarketDataUpdateRequest {
  categories: readonly AssetCategory[];
  force: boolean;
  /** Only the held series of these assets (any accepted symbol form). */
  symbols?: readonly string[];
}

export interface UpdateProgress {
  current: number;
  total: number;
  category: string;
  status: 'started' | 'done' | 'failed';
  /** The category's counts so far (final on done/failed). */
  counts: CategoryCounts;
}

/**
 * Brings the held series of the active assets of the given categories (or the
 * named ones) up to the last closed candle with one OHLC request each, unless fresh (last covered candle
 * within one interval of the last closed one; `force` ignores freshness).
 * A failing series or category is counted and the rest go on.
 */
@Injectable()
export class MarketDataUpdateService {
  private readonly logger = new Logger(MarketDataUpdateService.name);

  constructor(
    private readonly selector: SeriesSelectorService,
    private readonly coverage: CoverageRepository,
    private readonly ohlc: OhlcBackfillService,
    private readonly detector: GapDetectorService,
    private readonly locks: AdvisoryLockRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async update(
    request: MarketDataUpdateRequest,
    onProgress: (p: UpdateProgress) => void = () => undefined,
  ): Promise<MarketDataUpdateResult> {
    const { categories, force } = request;
    const named = request.symbols?.length ? await this.selector.select({ symbols: request.symbols }) : undefined;
    const outside = (named ?? []).filter((s) => !categories.includes(s.asset.category));
    if (outside.length) {
      throw new SeriesSelectionError(
        `${[...new Set(outside.map((s) => `${s.asset.symbol} (${s.asset.category})`))].join(', ')}: ` +
          `not among the categories ${categories.join(',')}`,
      );
    }
    const details: Record<string, CategoryCounts> = {};
    // Unbounded: it only counts the run's requests.
    const calls = new CallBudget();
    let processed = 0;
    for (const [i, category] of categories.entries()) {
      const counts: CategoryCounts = { success: 0, unchanged: 0, failed: 0, skipped: 0 };
      onProgress({ current: i + 1, total: categories.length, category, status: 'started', counts });
      details[category] = counts;
      try {
        // The series held (never new ones: an asset nothing is held of is not started here), or the named ones.
        const listed = named
          ? named.filter((s) => s.asset.category === category)
          : await this.selector.select({ category });
        // Archive-only assets (Kraken does not list them) are never asked for: said once, not failed every run.
        const series = listed.filter((s) => !s.asset.archiveOnly);
        const archiveOnly = new Set(listed.filter((s) => s.asset.archiveOnly).map((s) => s.asset.id));
        if (archiveOnly.size)
          this.logger.log(
            `${category}: ${archiveOnly.size} archive-only asset(s) not updated (Kraken does not list them)`,
          );
        const spans = await this.coverage.spansFor(
          [...new Set(series.map((s) => s.asset.id))],
          [...new Set(series.map((s) => s.intervalMinutes))],
        );
        for (const { asset, intervalMinutes: interval } of series) {
          const last = (spans.get(seriesKey({ assetId: asset.id, intervalMinutes: interval })) ?? []).reduce(
            (m, s) => Math.max(m, s.to),
            -Infinity,
          );
          const fresh = last >= lastClosedCandle(this.clock.nowSeconds(), interval) - interval * 60;
          if (fresh && !force) {
            counts.skipped++;
            continue;
          }
          counts[await this.updateSeries(asset, interval, last, calls)]++;
        }
        processed++;
        onProgress({ current: i + 1, total: categories.length, category, status: 'done', counts });
      } catch (e) {
        if (e instanceof KrakenUnreachableError) throw e; // the run stops: no category can be updated
        counts.error = e instanceof Error ? e.message : String(e);
        this.logger.error(`category ${category} failed: ${counts.error}`);
        onProgress({ current: i + 1, total: categories.length, category, status: 'failed', counts });
      }
    }
    const summary = {
      total_success: Object.values(details).reduce((n, d) => n + d.success, 0),
      total_unchanged: Object.values(details).reduce((n, d) => n + d.unchanged, 0),
      total_failed: Object.values(details).reduce((n, d) => n + d.failed, 0),
      total_skipped: Object.values(details).reduce((n, d) => n + d.skipped, 0),
    };
    // success: nothing failed; failed: something failed and no series is up to date (none updated, none fresh); else
    // partial.
    const anyFailed = summary.total_failed > 0 || processed < categories.length;
    const status = !anyFailed
      ? 'success'
      : summary.total_success + summary.total_unchanged + summary.total_skipped > 0
        ? 'partial'
        : 'failed';
    return {
      status,
      categories_processed: processed,
      total_categories: categories.length,
      summary,
      details,
      force_update: force,
      api_calls: calls.used,
    };
  }

  /**
   * One OHLC request from the slot after the last covered candle; then the series' gaps are reconciled. Under
   * the claim (waited for: another process may be updating it right now) the coverage is read again: a series
   * that other process brought to its last closed candle meanwhile needs no second request, forced or not.
   */
  private async updateSeries(
    asset: Asset,
    interval: number,
    seenLastCovered: number,
    calls: CallBudget,
  ): Promise<'success' | 'unchanged' | 'failed' | 'skipped'> {
    const step = interval * 60;
    const series = { assetId: asset.id, intervalMinutes: interval };
    const claimed = await this.locks.withLock(
      LockKeys.series(series),
      async () => {
        const spans = (await this.coverage.spansFor([asset.id], [interval])).get(seriesKey(series)) ?? [];
        const lastCovered = spans.reduce((m, s) => Math.max(m, s.to), Number.NEGATIVE_INFINITY);
        // Another process brought it further while this one waited for the claim: its request did this one's work.
        if (lastCovered > seenLastCovered && lastCovered >= lastClosedCandle(this.clock.nowSeconds(), interval))
          return 'skipped' as const;
        const from = Number.isFinite(lastCovered) ? lastCovered + step : 0;
        try {
          const got = await this.ohlc.fetchAndStore(
            asset,
            interval,
            Math.min(from, lastClosedCandle(this.clock.nowSeconds(), interval)),
            calls,
          );
          await this.detector.detect([{ asset, intervalMinutes: interval }]);
          // Updated means brought forward: coverage now reaches past the last covered candle. Re-asking for the last
          // closed candle of a series already there (--force) rewrites it, and is "unchanged".
          const changed = got.proven.some((span) => span.to > lastCovered);
          return changed ? ('success' as const) : ('unchanged' as const);
        } catch (e) {
          if (e instanceof KrakenUnreachableError) throw e;
          this.logger.warn(
            `${asset.symbol} ${interval}m: update failed: ${e instanceof Error ? e.message : String(e)}`,
          );
          return 'failed' as const;
        }
      },
      { waitMs: this.config.backfill.claimWaitMs },
    );
    return claimed?.value ?? 'skipped'; // held by another process: it is being updated right now, not by this run
  }
}
