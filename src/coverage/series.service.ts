import { Injectable, Logger } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { AssetRepository } from '../assets/asset.repository';
import { CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { slots } from './coverage-math';
import { CoverageRepository, rangeSpan } from './coverage.repository';
import { SeriesNotFoundError } from './series.errors';
import { SeriesRepository } from './series.repository';

export interface SeriesView {
  symbol: string;
  interval: number;
  /** Start of the expected window. */
  expected_from: string;
  first: string | null;
  last: string | null;
  candles: number;
  coverage_ranges: number;
  /** Slots the coverage ranges span: candles held plus candles proven absent (no trades). */
  covered_candles: number;
  /** Covered slots without a candle: periods with no trades, as far as nothing contradicts it. */
  no_trade_candles: number;
  /** Where the covered spans came from (csv, api, trades). */
  sources: string[];
}

export interface SeriesDropResult {
  symbol: string;
  interval: number;
  gap_records_deleted: number;
  coverage_ranges_deleted: number;
  /** Completed files of the series marked FAILED ("series dropped"): ingesting them again loads them again. */
  files_released: number;
  candles_deleted: number | null;
}

/** 9999-12-31T23:59:59Z: an open upper end for store spans. */
const FAR_FUTURE = 253_402_300_799;

/** The expected series: listing them, and dropping one (`series drop`). */
@Injectable()
export class SeriesService {
  private readonly logger = new Logger(SeriesService.name);

  constructor(
    private readonly expected: SeriesRepository,
    private readonly coverage: CoverageRepository,
    private readonly assets: AssetRepository,
    private readonly catalog: AssetCatalogService,
    private readonly candles: CandleStore,
    private readonly clock: Clock,
  ) {}

  async list(symbols?: readonly string[]): Promise<SeriesView[]> {
    const assets = symbols?.length ? await this.catalog.resolveAll(symbols) : await this.assets.findAll();
    const byId = new Map(assets.map((a) => [a.id, a]));
    const rows = await this.expected.listForAssets(assets.map((a) => a.id));
    const ranges = await this.coverage.listForAssets(
      [...byId.keys()],
      [...new Set(rows.map((r) => r.intervalMinutes))],
    );
    return rows
      .map((r) => {
        const own = ranges.filter((c) => c.assetId === r.assetId && c.intervalMinutes === r.intervalMinutes);
        const step = r.intervalMinutes * 60;
        const candles = own.reduce((n, c) => n + c.candleCount, 0);
        const covered = own.reduce((n, c) => n + slots(rangeSpan(c), step), 0);
        return {
          symbol: byId.get(r.assetId)!.symbol,
          interval: r.intervalMinutes,
          expected_from: r.expectedFrom.toISOString(),
          first: own[0]?.startTs.toISOString() ?? null,
          last: own[own.length - 1]?.endTs.toISOString() ?? null,
          candles,
          coverage_ranges: own.length,
          covered_candles: covered,
          no_trade_candles: Math.max(0, covered - candles),
          sources: [...new Set(own.flatMap((c) => c.sources))].sort(),
        };
      })
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.interval - b.interval);
  }

  /** Stops expecting the series: its coverage and gap records go (state first), then its candles if asked. */
  async drop(symbol: string, intervalMinutes: number, deleteCandles: boolean): Promise<SeriesDropResult> {
    const asset = await this.catalog.resolve(symbol);
    const key = { assetId: asset.id, intervalMinutes };
    const removed = await this.expected.drop(key, this.clock.now());
    if (!removed.expected && removed.ranges === 0 && removed.gaps === 0) {
      throw new SeriesNotFoundError(`${asset.symbol} ${intervalMinutes}m is not a series candlekeep holds or expects`);
    }
    // Candles after the state: a failure here leaves candles no coverage claims, which the next load rewrites
    // harmlessly.
    const candles = deleteCandles
      ? await this.candles.deleteRange({ ...key, symbol: asset.symbol }, { from: 0, to: FAR_FUTURE })
      : null;
    this.logger.log(
      `${asset.symbol} ${intervalMinutes}m dropped: ${removed.ranges} coverage range(s), ` +
        `${removed.gaps} gap record(s)` +
        `${candles === null ? '' : `, ${candles} candle(s)`}; ${removed.files} file(s) may be ingested again`,
    );
    return {
      symbol: asset.symbol,
      interval: intervalMinutes,
      gap_records_deleted: removed.gaps,
      coverage_ranges_deleted: removed.ranges,
      files_released: removed.files,
      candles_deleted: candles,
    };
  }
}
