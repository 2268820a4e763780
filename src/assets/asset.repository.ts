import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { Asset } from '../entities/asset.entity';
import { AssetCategory, Tier } from '../common/enums';

export type NewAsset = Pick<
  Asset,
  'symbol' | 'base' | 'quote' | 'instrumentType' | 'nativeSymbol' | 'category' | 'tier'
> &
  Partial<Pick<Asset, 'exchange' | 'altname' | 'wsname' | 'active' | 'catalogVerified'>>;

@Injectable()
export class AssetRepository {
  constructor(@InjectRepository(Asset) private readonly repo: Repository<Asset>) {}

  findById(id: number): Promise<Asset | null> {
    return this.repo.findOneBy({ id });
  }

  findBySymbol(symbol: string, exchange = 'kraken'): Promise<Asset | null> {
    return this.repo.findOneBy({ exchange, symbol });
  }

  /**
   * By any of the exchange's names for the pair: the native symbol (Kraken: the pair key), altname or wsname. The
   * altname and wsname columns hold Kraken's other two names; an exchange with one name per pair leaves them null.
   */
  findByNativeName(exchange: string, name: string): Promise<Asset | null> {
    return this.repo
      .createQueryBuilder('a')
      .where('a.exchange = :exchange', { exchange })
      .andWhere('(a.native_symbol = :name OR a.altname = :name OR a.wsname = :name)', { name })
      .orderBy('a.catalog_verified', 'DESC')
      .getOne();
  }

  /** Inserts unless the symbol exists (concurrent creators race safely); returns the stored row. */
  async insertIfMissing(asset: NewAsset): Promise<Asset> {
    await this.repo
      .createQueryBuilder()
      .insert()
      .into(Asset)
      .values({ exchange: 'kraken', ...asset })
      .orIgnore()
      .execute();
    const stored = await this.findBySymbol(asset.symbol, asset.exchange ?? 'kraken');
    if (!stored) throw new Error(`asset ${asset.symbol} vanished after insert`);
    return stored;
  }

  save(asset: Asset): Promise<Asset> {
    return this.repo.save(asset);
  }

  /** Inserts new and updates changed assets in one transaction. */
  async saveAll(assets: Asset[]): Promise<void> {
    if (assets.length === 0) return;
    await this.repo.manager.transaction((m) => m.save(Asset, assets));
  }

  findByExchange(exchange = 'kraken'): Promise<Asset[]> {
    return this.repo.find({ where: { exchange }, order: { symbol: 'ASC' } });
  }

  /** `ids` limits the result to those assets (the ones named by `--symbols`). */
  findAll(
    filter: { tier?: Tier; active?: boolean; category?: AssetCategory; ids?: readonly number[] } = {},
  ): Promise<Asset[]> {
    const { ids, ...rest } = filter;
    const where = {
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      ...(ids ? { id: In([...ids]) } : {}),
    };
    return this.repo.find({ where, order: { symbol: 'ASC' } });
  }
}
