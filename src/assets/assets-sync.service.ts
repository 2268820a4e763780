import { Injectable, Logger } from '@nestjs/common';
import { Asset } from '../entities/asset.entity';
import { ASSET_CATEGORIES, AssetCategory, Tier, TIERS } from '../common/enums';
import { KrakenClient } from '../sources/kraken/kraken.client';
import { KrakenAssetPair } from '../sources/kraken/kraken.types';
import { standardAsset } from '../sources/kraken/kraken-symbols';
import { InstrumentType } from '../sources/standard-symbol-parts';
import { formatStandardSymbol } from './standard-symbol';
import { categorize } from './asset-classification';
import { AssetRepository } from './asset.repository';
import { TiersService } from './tiers.service';

/** `candlekeep assets sync --json` output. */
export interface AssetsSyncResult {
  /** Kraken assets in the catalog after the sync (active or not, verified or not). */
  assets_total: number;
  active: number;
  /** Assets created from archive names that Kraken's listing does not (or no longer) confirm. */
  unverified: number;
  created: number;
  /** Existing assets whose catalog fields changed (deactivations are counted apart). */
  updated: number;
  /** Assets that became inactive: their pair vanished from AssetPairs or is not `online` (new ones included). */
  deactivated: number;
  /** Assets held from archives that Kraken does not list: kept and reported, never sent to the API. */
  archive_only: number;
  by_category: Record<AssetCategory, number>;
  by_tier: Record<Tier, number>;
}

type CatalogFields = Pick<
  Asset,
  | 'symbol'
  | 'base'
  | 'quote'
  | 'instrumentType'
  | 'nativeSymbol'
  | 'altname'
  | 'wsname'
  | 'category'
  | 'tier'
  | 'active'
  | 'catalogVerified'
  | 'archiveOnly'
>;
const CATALOG_FIELDS: ReadonlyArray<keyof CatalogFields> = [
  'symbol',
  'base',
  'quote',
  'instrumentType',
  'nativeSymbol',
  'altname',
  'wsname',
  'category',
  'tier',
  'active',
  'catalogVerified',
  'archiveOnly',
];

/**
 * Loads Kraken's AssetPairs and Assets into the asset catalog: one asset per
 * pair (exchange kraken, native_symbol = pair key), standard symbols,
 * categories and tiers. Pairs that are not `online` and verified pairs that
 * vanished become inactive; nothing is deleted (candles and gaps reference
 * assets). Assets created earlier from archive names are matched by their
 * standard symbol and verified, not duplicated. Running it twice changes nothing.
 */
@Injectable()
export class AssetsSyncService {
  private readonly logger = new Logger(AssetsSyncService.name);

  constructor(
    private readonly kraken: KrakenClient,
    private readonly assets: AssetRepository,
    private readonly tiers: TiersService,
  ) {}

  async sync(): Promise<AssetsSyncResult> {
    const pairs = await this.kraken.assetPairs();
    const plainCodes = new Map((await this.kraken.assets()).map((a) => [a.key, a.altname]));
    const existing = await this.assets.findByExchange('kraken');
    const byNative = new Map(existing.map((a) => [a.nativeSymbol, a]));
    const bySymbol = new Map(existing.map((a) => [a.symbol, a]));
    const listed = new Set<Asset>();
    const changed: Asset[] = [];
    let created = 0;
    let updated = 0;
    let deactivated = 0;

    for (const pair of [...pairs].sort((a, b) => a.key.localeCompare(b.key))) {
      const wanted = this.catalogFields(pair, plainCodes);
      const current = byNative.get(pair.key) ?? bySymbol.get(wanted.symbol);
      if (current && listed.has(current)) {
        this.logger.warn(`AssetPairs lists ${pair.key} and another pair as ${wanted.symbol}: keeping the first`);
        continue;
      }
      const holder = bySymbol.get(wanted.symbol);
      if (current && holder && holder !== current) {
        // Two stored assets for one pair (its symbol rule changed since): merging them would move candles, so say so
        // and leave both.
        this.logger.warn(
          `${pair.key} is stored as ${current.symbol} (id ${current.id}) ` +
            `while asset ${holder.id} holds ${wanted.symbol}: not updated`,
        );
        listed.add(current);
        listed.add(holder);
        continue;
      }
      if (!current) {
        const asset = Object.assign(new Asset(), { exchange: 'kraken', ...wanted });
        listed.add(asset);
        bySymbol.set(asset.symbol, asset);
        changed.push(asset);
        created++;
        if (!asset.active) deactivated++;
        continue;
      }
      listed.add(current);
      const differences = CATALOG_FIELDS.filter((f) => current[f] !== wanted[f]);
      if (differences.length === 0) continue;
      if (current.active && !wanted.active) deactivated++;
      else updated++;
      this.logger.debug(
        `${wanted.symbol}: ${differences.map((f) => `${f} ${String(current[f])} → ${String(wanted[f])}`).join(', ')}`,
      );
      Object.assign(current, wanted);
      changed.push(current);
    }

    for (const asset of existing) {
      if (listed.has(asset)) continue;
      if (!asset.catalogVerified) {
        // Created from an archive name and not found at Kraken: held, never asked for (every API call would fail).
        if (!asset.archiveOnly) {
          this.logger.log(
            `${asset.symbol} (${asset.altname ?? asset.nativeSymbol}) is not listed by Kraken: archive-only, ` +
              `not sent to the API`,
          );
          asset.archiveOnly = true;
          changed.push(asset);
        }
        continue;
      }
      if (!asset.active) continue;
      this.logger.log(`${asset.symbol} (${asset.nativeSymbol}) is no longer listed by Kraken: marked inactive`);
      asset.active = false;
      changed.push(asset);
      deactivated++;
    }

    await this.assets.saveAll(changed);
    const all = await this.assets.findByExchange('kraken');
    const result: AssetsSyncResult = {
      assets_total: all.length,
      active: all.filter((a) => a.active).length,
      unverified: all.filter((a) => !a.catalogVerified).length,
      created,
      updated,
      deactivated,
      archive_only: all.filter((a) => a.archiveOnly).length,
      by_category: countBy(
        ASSET_CATEGORIES,
        all.map((a) => a.category),
      ),
      by_tier: countBy(
        TIERS,
        all.map((a) => a.tier),
      ),
    };
    this.logger.log(
      `assets sync: ${pairs.length} Kraken pairs; ${created} created, ${updated} updated, ${deactivated} deactivated`,
    );
    return result;
  }

  private catalogFields(pair: KrakenAssetPair, plainCodes: ReadonlyMap<string, string>): CatalogFields {
    const instrumentType: InstrumentType = pair.key.endsWith('.d') ? 'DARKPOOL' : 'SPOT';
    const base = standardAsset(plainCodes.get(pair.base) ?? pair.base);
    const quote = standardAsset(plainCodes.get(pair.quote) ?? pair.quote);
    return {
      symbol: formatStandardSymbol({ base, quote, instrumentType }),
      base,
      quote,
      instrumentType,
      nativeSymbol: pair.key,
      altname: pair.altname,
      wsname: pair.wsname,
      category: categorize(base, quote, pair.aclassBase),
      tier: this.tiers.tierOf(base),
      // Legacy listings have no status: every pair listed then was tradable.
      active: (pair.status ?? 'online') === 'online',
      catalogVerified: true,
      archiveOnly: false,
    };
  }
}

function countBy<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) counts[v] += 1;
  return counts;
}
