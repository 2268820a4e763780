import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { ASSET_CATEGORIES, AssetCategory, Tier, TIERS } from '../../common/enums';
import { AssetListEntry } from '../../assets/asset-catalog.service';

/** GET /assets: the filters of `candlekeep assets list`. */
export class AssetsQueryDto {
  @ApiPropertyOptional({ enum: ASSET_CATEGORIES })
  @IsOptional()
  @IsString()
  category?: string;

  @ApiPropertyOptional({ description: 'TIER1..TIER4 (or 1..4)', example: 'TIER1' })
  @IsOptional()
  @IsString()
  tier?: string;

  @ApiPropertyOptional({ description: 'include inactive assets', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  inactive?: string;
}

/** One row of `candlekeep assets list --json`. */
export class AssetDto implements AssetListEntry {
  @ApiProperty({ example: 'BTC-USD-SPOT' }) symbol!: string;
  @ApiProperty({ example: 'XXBTZUSD' }) native_symbol!: string;
  @ApiProperty({ type: String, nullable: true, example: 'XBTUSD' }) altname!: string | null;
  @ApiProperty({ example: 'kraken' }) exchange!: string;
  @ApiProperty({ enum: ASSET_CATEGORIES }) category!: AssetCategory;
  @ApiProperty({ enum: TIERS }) tier!: Tier;
  @ApiProperty() active!: boolean;
  @ApiProperty({ description: "listed by Kraken's AssetPairs at the last `assets sync`" }) verified!: boolean;
  @ApiProperty({ description: 'not listed by Kraken: filled from archives only' }) archive_only!: boolean;
}

/** `candlekeep assets list --json`. */
export class AssetListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [AssetDto] }) assets!: AssetDto[];
}
