import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { parseCategory, parseTier } from '../common/option-parsers';
import { AssetListDto, AssetsQueryDto } from './dto/assets.dto';

/** GET /assets: the asset catalog, as `candlekeep assets list --json` prints it. */
@ApiTags('state')
@ApiBearerAuth()
@Controller('assets')
export class AssetsController {
  constructor(private readonly catalog: AssetCatalogService) {}

  @Get()
  @ApiOkResponse({ type: AssetListDto, description: 'active assets (inactive=true: every one), by symbol' })
  @ApiBadRequestResponse({ description: 'a malformed category or tier', type: ApiErrorResponse })
  async list(@Query() q: AssetsQueryDto): Promise<AssetListDto> {
    const assets = await this.catalog.list({
      category: q.category === undefined ? undefined : parseCategory(q.category, 'category'),
      tier: q.tier === undefined ? undefined : parseTier(q.tier, 'tier'),
      includeInactive: q.inactive === 'true',
    });
    return { total: assets.length, assets };
  }
}
