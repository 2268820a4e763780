import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { parseIntervals, parseSymbols } from '../common/option-parsers';
import { SeriesOverviewService } from '../reports/series-overview.service';
import { SeriesListDto, SeriesQueryDto } from './dto/series.dto';

/** GET /series: what is held, as `candlekeep series list --json` prints it. */
@ApiTags('state')
@ApiBearerAuth()
@Controller('series')
export class SeriesController {
  constructor(private readonly overview: SeriesOverviewService) {}

  @Get()
  @ApiOkResponse({
    type: SeriesListDto,
    description: 'the expected series: first, last, candles, coverage %, open gaps (`series list --json`)',
  })
  @ApiBadRequestResponse({ description: 'a malformed interval', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'an unknown symbol (UNKNOWN_SYMBOL)', type: ApiErrorResponse })
  async list(@Query() q: SeriesQueryDto): Promise<SeriesListDto> {
    const series = await this.overview.list({
      symbols: q.symbols === undefined ? undefined : parseSymbols(q.symbols, 'symbols'),
      intervals: q.intervals === undefined ? undefined : parseIntervals(q.intervals, 'intervals'),
    });
    return { total: series.length, series };
  }
}
