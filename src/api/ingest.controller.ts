import { ApiErrorResponse } from './api-errors';
import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { UsageError } from '../common/errors';
import { parseDate } from '../common/option-parsers';
import { toSeconds } from '../common/time';
import { BackgroundJobsService } from '../tasks/background-jobs.service';
import { IngestBatchDto, IngestSymbolDto, StartedJobDto, startedJobBody } from './dto/ingest.dto';
import { Scopes } from './scopes.decorator';

const STARTED = 'the job row exists and the backfill runs in the background: follow links.self';
const LOCKED = 'a backfill is running (TASK_LOCKED): the lock of task backfill-gaps-incremental is held';

/** POST /ingest/…: backfills from the Kraken API (`candlekeep backfill`), started in the background. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('ingest')
export class IngestController {
  constructor(private readonly background: BackgroundJobsService) {}

  // Declared before :symbol, which would otherwise take "batch" for a symbol.
  @Post('batch')
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('ingest')
  @ApiAcceptedResponse({ type: StartedJobDto, description: STARTED })
  @ApiBadRequestResponse({
    description: 'a malformed field, or named symbols without series and without intervals',
    type: ApiErrorResponse,
  })
  @ApiNotFoundResponse({ description: 'an unknown symbol (UNKNOWN_SYMBOL)', type: ApiErrorResponse })
  @ApiConflictResponse({ description: LOCKED, type: ApiErrorResponse })
  async batch(@Body() body: IngestBatchDto): Promise<StartedJobDto> {
    return startedJobBody(
      await this.background.backfill({
        symbols: body.symbols,
        intervals: body.intervals,
        tier: body.tier,
        lookbackDays: body.lookback_days,
        incremental: body.incremental ?? false,
        maxCalls: body.max_calls,
      }),
    );
  }

  @Post(':symbol')
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('ingest')
  @ApiParam({ name: 'symbol', description: 'any accepted symbol form: BTC-USD-SPOT, BTC-USD, XBTUSD, XXBTZUSD' })
  @ApiAcceptedResponse({ type: StartedJobDto, description: STARTED })
  @ApiBadRequestResponse({
    description: 'a malformed field, start_time after end_time, or no series and no intervals',
    type: ApiErrorResponse,
  })
  @ApiNotFoundResponse({ description: 'an unknown symbol (UNKNOWN_SYMBOL)', type: ApiErrorResponse })
  @ApiConflictResponse({ description: LOCKED, type: ApiErrorResponse })
  async symbol(@Param('symbol') symbol: string, @Body() body: IngestSymbolDto): Promise<StartedJobDto> {
    const from = body.start_time === undefined ? undefined : parseDate(body.start_time, 'start_time');
    const to = body.end_time === undefined ? undefined : parseDate(body.end_time, 'end_time');
    if (from && to && from > to)
      throw new UsageError(`start_time ${from.toISOString()} is after end_time ${to.toISOString()}`);
    return startedJobBody(
      await this.background.backfill({
        symbols: [symbol],
        intervals: body.intervals,
        expectFrom: from && toSeconds(from),
        fillUntil: to && toSeconds(to),
      }),
    );
  }
}
