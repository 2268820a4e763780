import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { CANDLE_SOURCES } from '../../common/enums';
import { SeriesOverview } from '../../reports/series-overview.service';

export const SYMBOLS_HELP =
  'comma-separated symbols, any accepted form (BTC-USD, BTC-USD-SPOT, XBTUSD, XXBTZUSD, XBT/USD)';
export const INTERVALS_HELP =
  'comma-separated intervals: minutes (1, 5, …, 21600) or 1m 5m 15m 30m 1h 4h 12h 1d 1w 15d';

/** GET /series: the filters of `candlekeep series list`. */
export class SeriesQueryDto {
  @ApiPropertyOptional({ description: `only these assets' series: ${SYMBOLS_HELP}`, example: 'BTC-USD,XETHZUSD' })
  @IsOptional()
  @IsString()
  symbols?: string;

  @ApiPropertyOptional({ description: `only these intervals: ${INTERVALS_HELP}`, example: '60,1d' })
  @IsOptional()
  @IsString()
  intervals?: string;
}

/** One row of `candlekeep series list --json`. */
export class SeriesOverviewDto implements SeriesOverview {
  @ApiProperty({ example: 'BTC-USD-SPOT' }) symbol!: string;
  @ApiProperty({ description: 'minutes', example: 1440 }) interval!: number;
  @ApiProperty({ description: 'start of the expected window (ISO-8601)' }) expected_from!: string;
  @ApiProperty({ type: String, nullable: true, description: 'first covered open time' }) first!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'last covered open time' }) last!: string | null;
  @ApiProperty({ description: 'candles held' }) candles!: number;
  @ApiProperty() coverage_ranges!: number;
  @ApiProperty({ description: 'slots the coverage ranges span: candles held plus no-trade periods' })
  covered_candles!: number;
  @ApiProperty({ description: 'covered slots without a candle (no trades, as far as nothing contradicts it)' })
  no_trade_candles!: number;
  @ApiProperty({ enum: CANDLE_SOURCES, isArray: true }) sources!: string[];
  @ApiProperty({ type: Number, nullable: true, description: 'null for an inactive asset (not reported)' })
  expected_candles!: number | null;
  @ApiProperty({ type: Number, nullable: true }) missing_candles!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 99.5 }) coverage_pct!: number | null;
  @ApiProperty({ type: Number, nullable: true }) open_gaps!: number | null;
  @ApiProperty({ type: Number, nullable: true }) suspect_gaps!: number | null;
}

/** `candlekeep series list --json`. */
export class SeriesListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [SeriesOverviewDto] }) series!: SeriesOverviewDto[];
}
