import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGGREGATION_WINDOWS, AggregationWindow, WEEK_STARTS, WeekStart } from '../../common/aggregation-window';
import { COMPARE_ALIGNS, COMPARE_FIELDS, CompareAlign, CompareField } from '../../timeseries/compare-alignment';
import { OhlcvColumns } from '../../timeseries/ohlcv-columns';
import { CompareResult, CoverageSummary, LatestResult, TimeseriesHealth } from '../../timeseries/timeseries.service';

export class MarketDataBucketDto {
  @ApiProperty({ description: 'bucket open time, epoch seconds UTC' })
  ts!: number;
  @ApiProperty({ description: 'bucket open time, ISO-8601 UTC' })
  time!: string;
  @ApiPropertyOptional({ description: 'first candle’s open (absent in a fill=null placeholder)' })
  open?: number;
  @ApiPropertyOptional()
  high?: number;
  @ApiPropertyOptional()
  low?: number;
  @ApiPropertyOptional({ description: 'last candle’s close' })
  close?: number;
  @ApiPropertyOptional({ description: 'Σ volume' })
  volume?: number;
  @ApiPropertyOptional({ description: 'Σ trades' })
  trades?: number;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Σ(vwap·volume)/Σvolume; null when a part has none',
  })
  vwap?: number | null;
  @ApiPropertyOptional({ description: 'candles in the bucket (0: a no-trade bucket coverage proves)' })
  candles?: number;
  @ApiProperty({ description: 'coverage spans every candle open time of the bucket at the source interval' })
  complete!: boolean;
  @ApiProperty({ description: 'the bucket has ended at the server’s now' })
  closed!: boolean;
}

export class CoverageSummaryDto implements CoverageSummary {
  @ApiProperty({ description: 'seconds of the requested buckets that coverage spans' })
  covered_seconds!: number;
  @ApiProperty({
    description: 'seconds of the requested buckets inside the expected window, up to the last closed candle',
  })
  expected_seconds!: number;
  @ApiProperty({ description: 'open gap records overlapping the requested buckets' })
  open_gaps!: number;
}

export class MarketDataResponseDto {
  @ApiProperty({ example: 'BTC-USD-SPOT' })
  symbol!: string;
  @ApiProperty({ example: 'kraken' })
  exchange!: string;
  @ApiProperty({ enum: AGGREGATION_WINDOWS })
  aggregation_window!: AggregationWindow;
  @ApiPropertyOptional({ enum: WEEK_STARTS, description: '1w buckets only' })
  week_start?: WeekStart;
  @ApiProperty()
  start_time!: string;
  @ApiProperty()
  end_time!: string;
  @ApiProperty({ description: 'the stored interval the buckets are aggregated from' })
  source_interval_minutes!: number;
  @ApiProperty()
  count!: number;
  @ApiProperty({ type: CoverageSummaryDto })
  coverage!: CoverageSummaryDto;
  @ApiProperty({ type: [MarketDataBucketDto] })
  data!: MarketDataBucketDto[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as cursor for the next page; null when done' })
  next_cursor!: string | null;
}

export class OhlcvResponseDto implements OhlcvColumns {
  @ApiProperty({ enum: ['ok', 'no_data'] })
  s!: 'ok' | 'no_data';
  @ApiProperty({ type: [Number] })
  t!: number[];
  @ApiProperty({ type: [Number], nullable: true })
  o!: Array<number | null>;
  @ApiProperty({ type: [Number], nullable: true })
  h!: Array<number | null>;
  @ApiProperty({ type: [Number], nullable: true })
  l!: Array<number | null>;
  @ApiProperty({ type: [Number], nullable: true })
  c!: Array<number | null>;
  @ApiProperty({ type: [Number], nullable: true })
  v!: Array<number | null>;
  @ApiProperty({ type: [Boolean] })
  complete!: boolean[];
  @ApiProperty({ type: String, nullable: true })
  next_cursor!: string | null;
}

export class CompareSeriesDto {
  @ApiProperty()
  symbol!: string;
  @ApiProperty({ type: [Number], nullable: true, description: 'one value per t (null: no bucket, or no vwap)' })
  values!: Array<number | null>;
}

export class CompareResponseDto implements CompareResult {
  @ApiProperty({ enum: COMPARE_FIELDS })
  field!: CompareField;
  @ApiProperty({ enum: AGGREGATION_WINDOWS })
  aggregation_window!: AggregationWindow;
  @ApiPropertyOptional({ enum: WEEK_STARTS })
  week_start?: WeekStart;
  @ApiProperty()
  normalize!: boolean;
  @ApiProperty({ enum: COMPARE_ALIGNS })
  align!: CompareAlign;
  @ApiProperty()
  start_time!: string;
  @ApiProperty()
  end_time!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'the first bucket every symbol has: the base of normalize',
  })
  base_ts!: number | null;
  @ApiProperty({ type: [Number] })
  t!: number[];
  @ApiProperty({ type: [CompareSeriesDto] })
  series!: CompareSeriesDto[];
}

export class LatestResponseDto implements LatestResult {
  @ApiProperty()
  symbol!: string;
  @ApiProperty()
  interval!: number;
  @ApiProperty()
  ts!: number;
  @ApiProperty()
  time!: string;
  @ApiProperty()
  open!: number;
  @ApiProperty()
  high!: number;
  @ApiProperty()
  low!: number;
  @ApiProperty()
  close!: number;
  @ApiProperty()
  volume!: number;
  @ApiProperty()
  trades!: number;
  @ApiProperty({ type: Number, nullable: true })
  vwap!: number | null;
  @ApiProperty({ description: 'whole intervals between the candle’s close and the newest closed interval' })
  intervals_behind!: number;
  @ApiProperty({ description: 'the last covered candle is more than STALE_HOURS behind (the rule of validate)' })
  stale!: boolean;
}

export class CandleStoreHealthDto {
  @ApiProperty({ enum: ['postgres', 'questdb'] })
  store!: 'postgres' | 'questdb';
  @ApiProperty()
  reachable!: boolean;
  @ApiPropertyOptional()
  error?: string;
}

export class TimeseriesHealthDto implements TimeseriesHealth {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status!: 'ok' | 'degraded';
  @ApiProperty()
  time!: string;
  @ApiProperty({ type: CandleStoreHealthDto })
  candle_store!: CandleStoreHealthDto;
  @ApiProperty({ type: Number, nullable: true, description: 'expected series of active assets that are stale' })
  stale_series!: number | null;
  @ApiPropertyOptional()
  error?: string;
}
