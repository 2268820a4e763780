import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { AGGREGATION_WINDOWS, AggregationWindow, WEEK_STARTS, WeekStart } from '../../common/aggregation-window';
import { INTERVALS } from '../../common/enums';
import { FILL_MODES, FillMode } from '../../timeseries/bucket-completeness';
import { COMPARE_ALIGNS, COMPARE_FIELDS, CompareAlign, CompareField } from '../../timeseries/compare-alignment';
import { MAX_LIMIT } from '../../timeseries/timeseries.service';

const INSTANT = 'ISO-8601 (UTC when no offset is given) or epoch seconds';

/** The span and buckets every time-series query takes. */
export class TimeseriesSpanDto {
  @ApiPropertyOptional({ description: `first bucket open time, inclusive: ${INSTANT}; default the first held candle` })
  @IsOptional()
  @IsString()
  start_time?: string;

  @ApiPropertyOptional({ description: `last bucket open time, inclusive: ${INSTANT}; default now` })
  @IsOptional()
  @IsString()
  end_time?: string;

  @ApiPropertyOptional({ enum: AGGREGATION_WINDOWS, default: '1d', description: 'bucket length, UTC' })
  @IsOptional()
  @IsIn(AGGREGATION_WINDOWS)
  aggregation_window?: AggregationWindow;

  @ApiPropertyOptional({
    enum: WEEK_STARTS,
    default: 'monday',
    description: '1w buckets: Monday weeks, or Thursday (Kraken’s native, epoch-aligned weeks)',
  })
  @IsOptional()
  @IsIn(WEEK_STARTS)
  week_start?: WeekStart;
}

export class MarketDataQueryDto extends TimeseriesSpanDto {
  @ApiPropertyOptional({
    enum: FILL_MODES,
    default: 'none',
    description:
      'empty buckets: none omits them; prev adds a flat zero-volume candle at the previous close where coverage ' +
      'proves no trades (never across an uncovered span); null adds a placeholder {ts, time, complete, closed}',
  })
  @IsOptional()
  @IsIn(FILL_MODES)
  fill?: FillMode;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: 1000, description: 'buckets per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'the next_cursor of the previous page (same query otherwise)' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class CompareQueryDto extends TimeseriesSpanDto {
  @ApiProperty({
    type: [String],
    minItems: 2,
    maxItems: 10,
    description: 'symbols=A&symbols=B (or A,B): any accepted symbol form',
  })
  @Transform(({ value }: { value: unknown }) =>
    value === undefined
      ? value
      : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).filter(Boolean),
  )
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  symbols!: string[];

  @ApiPropertyOptional({ enum: COMPARE_FIELDS, default: 'close' })
  @IsOptional()
  @IsIn(COMPARE_FIELDS)
  field?: CompareField;

  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'percent change from each symbol’s value at the first common bucket (base_ts)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  normalize?: boolean;

  @ApiPropertyOptional({
    enum: COMPARE_ALIGNS,
    default: 'intersection',
    description: 'intersection: buckets every symbol has; union: all of them, null where a symbol has none',
  })
  @IsOptional()
  @IsIn(COMPARE_ALIGNS)
  align?: CompareAlign;
}

export class LatestQueryDto {
  @ApiPropertyOptional({ enum: INTERVALS, default: 60, description: 'the series interval in minutes' })
  @IsOptional()
  @Type(() => Number)
  @IsIn(INTERVALS)
  interval?: number;
}
