import { ApiErrorResponse } from './api-errors';
import { Controller, Get, Header, HttpStatus, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { parseInstant } from '../timeseries/timeseries-input';
import {
  CompareResult,
  LatestResult,
  TimeseriesHealth,
  TimeseriesQuery,
  TimeseriesService,
} from '../timeseries/timeseries.service';
import { OhlcvColumns } from '../timeseries/ohlcv-columns';
import { CompareQueryDto, LatestQueryDto, MarketDataQueryDto, TimeseriesSpanDto } from './dto/timeseries-query.dto';
import {
  CompareResponseDto,
  LatestResponseDto,
  MarketDataResponseDto,
  OhlcvResponseDto,
  TimeseriesHealthDto,
} from './dto/timeseries-response.dto';
import { Public } from './public.decorator';
import { timeseriesJson } from './timeseries-json';

const SYMBOL = 'any accepted symbol form: BTC-USD-SPOT, BTC-USD, XBTUSD, XXBTZUSD, XBT/USD';

/** The span and buckets of a query as the service takes them (instants parsed to epoch seconds). */
function spanOf(q: TimeseriesSpanDto) {
  return {
    window: q.aggregation_window ?? '1d',
    weekStart: q.week_start,
    from: q.start_time === undefined ? undefined : parseInstant(q.start_time, 'start_time'),
    to: q.end_time === undefined ? undefined : parseInstant(q.end_time, 'end_time'),
  };
}

function marketDataQuery(symbol: string, q: MarketDataQueryDto): TimeseriesQuery {
  return { symbol, ...spanOf(q), fill: q.fill, limit: q.limit, cursor: q.cursor };
}

/**
 * Aggregated candles that say what they prove, compare, latest and the health of what serves them. Parses and
 * delegates to the TimeseriesService (the CLI's `series SYMBOL`, `compare` and `latest` call the same).
 */
@ApiTags('timeseries')
@Controller('timeseries')
export class TimeseriesController {
  constructor(private readonly timeseries: TimeseriesService) {}

  // Declared before market-data/:symbol, which would otherwise take "compare" for a symbol.
  @Get('market-data/compare')
  @ApiBearerAuth()
  @ApiOkResponse({ type: CompareResponseDto, description: 'one time axis, one array of values per symbol' })
  @ApiBadRequestResponse({
    description: 'bad input; normalize with no common bucket or a zero/absent base value',
    type: ApiErrorResponse,
  })
  @ApiNotFoundResponse({
    description: 'a symbol holds no series whose interval tiles the window',
    type: ApiErrorResponse,
  })
  compare(@Query() q: CompareQueryDto): Promise<CompareResult> {
    return this.timeseries.compare({
      symbols: q.symbols,
      field: q.field ?? 'close',
      normalize: q.normalize ?? false,
      align: q.align ?? 'intersection',
      ...spanOf(q),
    });
  }

  @Get('market-data/:symbol')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MarketDataResponseDto, description: 'buckets with complete/closed and a coverage summary' })
  @ApiBadRequestResponse({ description: 'bad input (window, times, limit above 5000, cursor)', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'no held series has an interval tiling the window', type: ApiErrorResponse })
  @Header('Content-Type', 'application/json; charset=utf-8')
  async marketData(@Param('symbol') symbol: string, @Query() q: MarketDataQueryDto): Promise<string> {
    return timeseriesJson(await this.timeseries.query(marketDataQuery(symbol, q)));
  }

  @Get('market-data/:symbol/ohlcv')
  @ApiBearerAuth()
  @ApiOkResponse({ type: OhlcvResponseDto, description: `the same query as columns for charting (${SYMBOL})` })
  @ApiBadRequestResponse({ description: 'bad input', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'no held series has an interval tiling the window', type: ApiErrorResponse })
  ohlcv(@Param('symbol') symbol: string, @Query() q: MarketDataQueryDto): Promise<OhlcvColumns> {
    return this.timeseries.ohlcv(marketDataQuery(symbol, q));
  }

  @Get('market-data/:symbol/latest')
  @ApiBearerAuth()
  @ApiOkResponse({ type: LatestResponseDto, description: 'the last closed stored candle, intervals behind, stale' })
  @ApiNotFoundResponse({ description: 'the series holds no closed candle', type: ApiErrorResponse })
  latest(@Param('symbol') symbol: string, @Query() q: LatestQueryDto): Promise<LatestResult> {
    return this.timeseries.latest(symbol, q.interval ?? 60);
  }

  @Get('health')
  @Public()
  @ApiOkResponse({ type: TimeseriesHealthDto, description: 'candle store reachable, stale series counted' })
  @ApiServiceUnavailableResponse({ type: TimeseriesHealthDto, description: 'the candle store is unreachable' })
  async health(@Res({ passthrough: true }) res: Response): Promise<TimeseriesHealth> {
    const report = await this.timeseries.health();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
