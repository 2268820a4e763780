import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Asset } from '../entities/asset.entity';
import { AssetCatalogService } from './asset-catalog.service';
import { AssetRepository } from './asset.repository';
import { AssetsSyncService } from './assets-sync.service';
import { KrakenModule } from '../sources/kraken/kraken.module';
import { TiersService } from './tiers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Asset]), KrakenModule],
  providers: [AssetRepository, TiersService, AssetCatalogService, AssetsSyncService],
  exports: [AssetRepository, TiersService, AssetCatalogService, AssetsSyncService],
})
export class AssetsModule {}
