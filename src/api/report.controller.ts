import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { parseDate, parseIntervals, parseSymbols, parseTier } from '../common/option-parsers';
import { CompletenessReportService } from '../reports/completeness-report.service';
import { CompletenessReportDto, ReportQueryDto } from './dto/report.dto';

/** GET /report: the completeness report, the object `candlekeep report --json` prints. */
@ApiTags('state')
@ApiBearerAuth()
@Controller('report')
export class ReportController {
  constructor(private readonly reports: CompletenessReportService) {}

  @Get()
  @ApiOkResponse({ type: CompletenessReportDto, description: 'completeness per tier and interval, and per series' })
  @ApiBadRequestResponse({ description: 'a malformed tier, interval or date', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'an unknown symbol (UNKNOWN_SYMBOL)', type: ApiErrorResponse })
  get(@Query() q: ReportQueryDto): Promise<CompletenessReportDto> {
    return this.reports.build({
      tier: q.tier === undefined ? undefined : parseTier(q.tier, 'tier'),
      intervals: q.intervals === undefined ? undefined : parseIntervals(q.intervals, 'intervals'),
      symbols: q.symbols === undefined ? undefined : parseSymbols(q.symbols, 'symbols'),
      since: q.since === undefined ? undefined : parseDate(q.since, 'since'),
    });
  }
}
