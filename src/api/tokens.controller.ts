import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiTokensService } from '../tokens/api-tokens.service';
import { ApiErrors } from './api-errors';
import { Scopes } from './scopes.decorator';
import { ApiTokenListDto, TokenListQueryDto } from './tokens.dto';

/** The API tokens, for admins (created and revoked with `candlekeep tokens`). */
@ApiTags('tokens')
@Controller('tokens')
export class TokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  @Scopes('admin')
  @ApiOperation({ summary: 'every API token: name, scopes, created, last used, revoked (never a token)' })
  @ApiOkResponse({ type: ApiTokenListDto, description: 'the tokens, oldest first' })
  @ApiErrors(400, 503)
  async list(@Query() query: TokenListQueryDto): Promise<ApiTokenListDto> {
    const tokens = await this.tokens.list({ active: query.active });
    return { total: tokens.length, tokens };
  }
}
