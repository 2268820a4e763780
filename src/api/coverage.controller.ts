import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { parseInterval } from '../common/option-parsers';
import { SeriesCoverageService } from '../reports/series-coverage.service';
import { CoverageQueryDto, SymbolCoverageDto } from './dto/coverage.dto';

/** GET /series/:symbol/coverage: covered spans and gap records of an asset's series. */
@ApiTags('state')
@ApiBearerAuth()
@Controller('series')
export class CoverageController {
  constructor(private readonly coverage: SeriesCoverageService) {}

  @Get(':symbol/coverage')
  @ApiParam({ name: 'symbol', description: 'any accepted symbol form: BTC-USD-SPOT, BTC-USD, XBTUSD, XXBTZUSD' })
  @ApiOkResponse({ type: SymbolCoverageDto, description: 'per series: its coverage ranges and its gap records' })
  @ApiBadRequestResponse({ description: 'a malformed interval', type: ApiErrorResponse })
  @ApiNotFoundResponse({
    description: 'an unknown symbol (UNKNOWN_SYMBOL), or no series at that interval',
    type: ApiErrorResponse,
  })
  get(@Param('symbol') symbol: string, @Query() q: CoverageQueryDto): Promise<SymbolCoverageDto> {
    return this.coverage.of(symbol, q.interval === undefined ? undefined : parseInterval(q.interval, 'interval'));
  }
}
