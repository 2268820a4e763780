import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Asset } from '../entities/asset.entity';
import { AssetCatalogService } from './asset-catalog.service';
import { AssetRepository } from './asset.repository';
import { TiersService } from './tiers.service';

@Module({
  imports: [TypeOrmModule.forFeature([Asset])],
  providers: [AssetRepository, TiersService, AssetCatalogService],
  exports: [AssetRepository, TiersService, AssetCatalogService],
})
export class AssetsModule {}
