import { Injectable } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { CandleSource, LEDGER_GAP_STATUSES } from '../common/enums';
import { CoverageRepository } from '../coverage/coverage.repository';
import { SeriesNotFoundError } from '../coverage/series.errors';
import { SeriesRepository } from '../coverage/series.repository';
import { GapsService, GapView } from '../gaps/gaps.service';

/** A coverage range: read completely from its sources and stored (a missing candle inside is a no-trade period). */
export interface CoveredSpan {
  start_ts: string;
  end_ts: string;
  candles: number;
  sources: CandleSource[];
}

export interface SeriesCoverage {
  interval: number;
  /** Start of the expected window. */
  expected_from: string;
  /** The coverage ranges, oldest first (disjoint). */
  covered: CoveredSpan[];
  /**
   * The ledger's records (open and IGNORED, gaps and suspects), oldest first: the gaps among them are exactly the
   * uncovered part of the expected window.
   */
  gaps: GapView[];
}

export interface SymbolCoverage {
  symbol: string;
  series: SeriesCoverage[];
}

/** What one asset's series hold: their covered spans beside the gap records standing for what is not covered. */
@Injectable()
export class SeriesCoverageService {
  constructor(
    private readonly catalog: AssetCatalogService,
    private readonly expected: SeriesRepository,
    private readonly coverage: CoverageRepository,
    private readonly gaps: GapsService,
  ) {}

  /** The asset's expected series (at `interval` only, when given: SeriesNotFoundError when it is not one of them). */
  async of(symbol: string, interval?: number): Promise<SymbolCoverage> {
    const asset = await this.catalog.resolve(symbol);
    const series = (await this.expected.listForAssets([asset.id])).filter(
      (s) => interval === undefined || s.intervalMinutes === interval,
    );
    if (interval !== undefined && series.length === 0)
      throw new SeriesNotFoundError(`${asset.symbol} ${interval}m is not a series candlekeep holds or expects`);
    const intervals = series.map((s) => s.intervalMinutes);
    const [ranges, records] = await Promise.all([
      this.coverage.listForAssets([asset.id], intervals),
      intervals.length
        ? this.gaps.list({ symbols: [asset.symbol], intervals, statuses: LEDGER_GAP_STATUSES })
        : Promise.resolve([]),
    ]);
    return {
      symbol: asset.symbol,
      series: series.map((s) => ({
        interval: s.intervalMinutes,
        expected_from: s.expectedFrom.toISOString(),
        covered: ranges
          .filter((r) => r.intervalMinutes === s.intervalMinutes)
          .map((r) => ({
            start_ts: r.startTs.toISOString(),
            end_ts: r.endTs.toISOString(),
            candles: r.candleCount,
            sources: r.sources,
          })),
        gaps: records.filter((g) => g.interval === s.intervalMinutes),
      })),
    };
  }
}
