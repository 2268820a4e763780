import { Injectable } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { AssetRepository } from '../assets/asset.repository';
import { Asset } from '../entities/asset.entity';
import { AssetCategory, Tier } from '../common/enums';
import { SeriesSelection } from './gap-detector.service';
import { SeriesSelectionError } from '../coverage/series.errors';
import { SeriesRepository } from '../coverage/series.repository';

export interface SeriesChoice {
  tier?: Tier;
  category?: AssetCategory;
  /** Any accepted symbol form (`--symbols`); named assets are taken active or not. */
  symbols?: readonly string[];
  intervals?: readonly number[];
  /**
   * Every selected asset at `intervals`, held or not: a scheduled set
   * (BACKFILL_SETS). Named symbols with named intervals start their series
   * anyway; everything else selects only series already held.
   */
  newSeries?: boolean;
}

/**
 * Which series a fill works on. By default only the series held (expected, or
 * with coverage): a run never starts series nobody asked for, which would then
 * fail or stay stale forever. New series come only when named — `--symbols`
 * with `--intervals` — or from the scheduled sets.
 */
@Injectable()
export class SeriesSelectorService {
  constructor(
    private readonly catalog: AssetCatalogService,
    private readonly assets: AssetRepository,
    private readonly series: SeriesRepository,
  ) {}

  async select(choice: SeriesChoice): Promise<SeriesSelection[]> {
    const named = choice.symbols?.length ? await this.named(choice) : undefined;
    const assets = named ?? (await this.assets.findAll({ tier: choice.tier, category: choice.category, active: true }));
    const intervals = choice.intervals?.length ? [...new Set(choice.intervals)].sort((a, b) => a - b) : undefined;
    if (intervals && (named || choice.newSeries))
      return assets.flatMap((asset) => intervals.map((intervalMinutes) => ({ asset, intervalMinutes })));
    const heldOf = new Map<number, number[]>();
    for (const s of await this.series.heldOf(assets.map((a) => a.id))) {
      if (intervals && !intervals.includes(s.intervalMinutes)) continue;
      heldOf.set(s.assetId, [...(heldOf.get(s.assetId) ?? []), s.intervalMinutes]);
    }
    // In the assets' order (by symbol), each asset's intervals ascending.
    const held = assets.flatMap((asset) =>
      (heldOf.get(asset.id) ?? []).map((intervalMinutes) => ({ asset, intervalMinutes })),
    );
    const empty = (named ?? []).filter((a) => !held.some((s) => s.asset.id === a.id));
    if (empty.length) {
      const names = empty.map((a) => a.symbol).join(',');
      throw new SeriesSelectionError(
        `${names}: no series held${intervals ? ` at ${intervals.join(',')}` : ''}; to start one, ` +
          `name its intervals: --symbols ${names} --intervals ${intervals?.join(',') ?? '60,1440'}`,
      );
    }
    return held;
  }

  /** The named assets; one outside `--tier` or the category is a mistake said plainly, not an empty run. */
  private async named(choice: SeriesChoice): Promise<Asset[]> {
    const assets = await this.catalog.resolveAll(choice.symbols ?? []);
    for (const a of assets) {
      if (choice.tier && a.tier !== choice.tier)
        throw new SeriesSelectionError(`${a.symbol} is ${a.tier}, not ${choice.tier}`);
      if (choice.category && a.category !== choice.category)
        throw new SeriesSelectionError(`${a.symbol} is ${a.category}, not ${choice.category}`);
    }
    return assets;
  }
}
