import { Inject, Injectable, Logger } from '@nestjs/common';
import { Asset } from '../entities/asset.entity';
import { AssetCategory, Tier } from '../common/enums';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';
import { categorize } from './asset-classification';
import { parseSymbol, StandardPair, UnknownSymbolError } from './standard-symbol';
import { AssetRepository } from './asset.repository';
import { TiersService } from './tiers.service';

/** One row of `assets list`. */
export interface AssetListEntry {
  symbol: string;
  native_symbol: string;
  altname: string | null;
  exchange: string;
  category: AssetCategory;
  tier: Tier;
  active: boolean;
  /** Listed by Kraken's AssetPairs at the last `assets sync` (false: known from archive names only). */
  verified: boolean;
  /** Not listed by Kraken: filled from archives only, never sent to the API. */
  archive_only: boolean;
}

/** Resolves user- and file-given symbols to assets, creating unverified ones from names when asked. */
@Injectable()
export class AssetCatalogService {
  private readonly logger = new Logger(AssetCatalogService.name);

  constructor(
    private readonly assets: AssetRepository,
    private readonly tiers: TiersService,
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
  ) {}

  /**
   * The asset for any accepted symbol form (BTC-USD-SPOT, XXBTZUSD, XBTUSD,
   * XBT/USD). Throws UnknownSymbolError (exit 2) when the name does not parse
   * or no such asset is stored.
   */
  async resolve(name: string): Promise<Asset> {
    const byName = await this.byNativeName(name);
    if (byName) return byName;
    const std = this.parse(name);
    const asset = await this.assets.findBySymbol(std.symbol, this.exchange.exchange);
    if (!asset)
      throw new UnknownSymbolError(`unknown symbol ${JSON.stringify(name)} (${std.symbol}): not in the asset catalog`);
    return asset;
  }
  /**
   * The standard symbol (BTC-USD-SPOT) of any accepted name, stored or not:
   * selecting archive files by `--symbols` before their assets exist.
   */
  async standardSymbol(name: string): Promise<string> {
    return (await this.byNativeName(name))?.symbol ?? this.parse(name).symbol;
  }

  /** The assets these names stand for, each once, in the order named (two aliases of one pair give one asset). */
  async resolveAll(names: readonly string[]): Promise<Asset[]> {
    const found = new Map<number, Asset>();
    for (const name of names) {
      const asset = await this.resolve(name);
      found.set(asset.id, asset);
    }
    return [...found.values()];
  }

  /** The catalog, by symbol: active assets, or every one with `includeInactive`. */
  async list(filter: { category?: AssetCategory; tier?: Tier; includeInactive: boolean }): Promise<AssetListEntry[]> {
    const assets = await this.assets.findAll({
      category: filter.category,
      tier: filter.tier,
      active: filter.includeInactive ? undefined : true,
    });
    return assets.map((a) => ({
      symbol: a.symbol,
      native_symbol: a.nativeSymbol,
      altname: a.altname,
      exchange: a.exchange,
      category: a.category,
      tier: a.tier,
      active: a.active,
      verified: a.catalogVerified,
      archive_only: a.archiveOnly,
    }));
  }

  /**
   * Marks an asset active or inactive (`assets activate|deactivate`): inactive
   * assets are left out of backfill, update-market-data, reports and
   * validation; nothing they hold is deleted.
   */
  async setActive(name: string, active: boolean): Promise<{ asset: Asset; changed: boolean }> {
    const asset = await this.resolve(name);
    if (asset.active === active) return { asset, changed: false };
    asset.active = active;
    await this.assets.save(asset);
    this.logger.log(`${asset.symbol}: ${active ? 'activated' : 'deactivated'}`);
    return { asset, changed: true };
  }

  /**
   * The asset an archive member name's pair (e.g. XBTUSD from XBTUSD_60.csv)
   * refers to: the catalog row if present, else one created from the name
   * (standard symbol, altname = the name, catalog_verified false, tier and
   * category by the same rules as `assets sync`).
   */
  async findOrCreateFromPairName(pairName: string): Promise<Asset> {
    const name = pairName.trim().toUpperCase();
    const known = await this.assets.findByNativeName(this.exchange.exchange, name);
    if (known) return known;
    const std = this.parse(name);
    const bySymbol = await this.assets.findBySymbol(std.symbol, this.exchange.exchange);
    if (bySymbol) return bySymbol;
    const created = await this.assets.insertIfMissing({
      exchange: this.exchange.exchange,
      symbol: std.symbol,
      base: std.base,
      quote: std.quote,
      instrumentType: std.instrumentType,
      nativeSymbol: name,
      altname: name,
      category: categorize(std.base, std.quote),
      tier: this.tiers.tierOf(std.base),
      catalogVerified: false,
    });
    this.logger.log(`created asset ${created.symbol} from archive name ${name} (unverified, ${created.tier})`);
    return created;
  }

  private byNativeName(name: string): Promise<Asset | null> {
    return this.assets.findByNativeName(this.exchange.exchange, name.trim().toUpperCase());
  }

  private parse(name: string): StandardPair {
    return parseSymbol(name, this.exchange.symbols);
  }
}
