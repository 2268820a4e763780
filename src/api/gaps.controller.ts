import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OPEN_GAP_STATUSES } from '../common/enums';
import { parseGapStatuses, parseIntervals, parseSymbols, parseTier } from '../common/option-parsers';
import { GapsService } from '../gaps/gaps.service';
import { GapListDto, GapsQueryDto } from './dto/gaps.dto';

/** GET /gaps: gap records, as `candlekeep gaps --json` lists them. */
@ApiTags('state')
@ApiBearerAuth()
@Controller('gaps')
export class GapsController {
  constructor(private readonly gaps: GapsService) {}

  @Get()
  @ApiOkResponse({ type: GapListDto, description: 'gap records by symbol, interval and start (`gaps --json`)' })
  @ApiBadRequestResponse({ description: 'a malformed tier, interval, status or kind', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'an unknown symbol (UNKNOWN_SYMBOL)', type: ApiErrorResponse })
  async list(@Query() q: GapsQueryDto): Promise<GapListDto> {
    const gaps = await this.gaps.list({
      tier: q.tier === undefined ? undefined : parseTier(q.tier, 'tier'),
      intervals: q.intervals === undefined ? undefined : parseIntervals(q.intervals, 'intervals'),
      symbols: q.symbols === undefined ? undefined : parseSymbols(q.symbols, 'symbols'),
      statuses: q.status === undefined ? OPEN_GAP_STATUSES : parseGapStatuses(q.status, 'status'),
      kinds: q.kind ? [q.kind] : undefined,
    });
    return { total: gaps.length, gaps };
  }
}
