import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { INTERVALS, IntervalMinutes, JOB_STATUSES, JobStatus, Tier, TIERS } from '../../common/enums';
import { MAX_DAYS } from '../../common/option-parsers';
import { StartedJob } from '../../tasks/background-jobs.service';
import { API_PREFIX } from '../api-prefix';

/** The optional `intervals` of both triggers: a non-empty list of candlekeep's intervals in minutes. */
const IntervalsField = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: 'intervals in minutes; with symbols, those series even when not held yet',
      enum: INTERVALS,
      isArray: true,
      example: [60, 1440],
    }),
    IsOptional(),
    IsArray(),
    ArrayNotEmpty(),
    IsIn(INTERVALS, { each: true }),
  );

/** Epoch seconds given as a JSON number are taken as the string the parser reads. */
const instantText = ({ value }: { value: unknown }): unknown => (typeof value === 'number' ? String(value) : value);

/** POST /ingest/batch: the options of `candlekeep backfill`. */
export class IngestBatchDto {
  @ApiPropertyOptional({
    description: "only these assets' series, any accepted symbol form (BTC-USD, XBTUSD, XXBTZUSD, XBT/USD)",
    type: [String],
    example: ['BTC-USD', 'XETHZUSD'],
  })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  symbols?: string[];

  @IntervalsField()
  intervals?: IntervalMinutes[];

  @ApiPropertyOptional({ enum: TIERS, description: 'only assets of this tier' })
  @IsOptional()
  @IsIn(TIERS)
  tier?: Tier;

  @ApiPropertyOptional({
    description:
      "expected window of a series not held yet (default: what Kraken's OHLC window reaches), and how far back " +
      'an incremental run fills (default 30)',
    minimum: 1,
    maximum: MAX_DAYS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_DAYS)
  lookback_days?: number;

  @ApiPropertyOptional({
    description: 'fill only the last lookback_days (OHLC-fillable gaps whole); the ledger still covers every window',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  incremental?: boolean;

  @ApiPropertyOptional({ description: 'API call budget; the run stops cleanly (PARTIAL) when spent', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  max_calls?: number;
}

/** POST /ingest/:symbol: a backfill of one asset's series over a span (`candlekeep backfill --symbols S --from --to`). */
export class IngestSymbolDto {
  @IntervalsField()
  intervals?: IntervalMinutes[];

  @ApiPropertyOptional({
    description:
      'expect the series from this instant on (recorded for later runs) and fill from there: ISO-8601 or epoch seconds',
    example: '2025-01-01T00:00:00Z',
  })
  @IsOptional()
  @Transform(instantText)
  @IsString()
  start_time?: string;

  @ApiPropertyOptional({
    description:
      'fill nothing after this instant (the ledger still covers the whole window): ISO-8601 or epoch seconds',
    example: 1743465600,
  })
  @IsOptional()
  @Transform(instantText)
  @IsString()
  end_time?: string;
}

export class JobLinksDto {
  @ApiProperty({ description: 'the job (GET to follow it, DELETE to cancel it)', example: '/api/v1/jobs/…' })
  self!: string;
}

/** 202: the job row exists, the run goes on in the background. */
export class StartedJobDto implements StartedJob {
  @ApiProperty({ format: 'uuid' }) job_id!: string;
  @ApiProperty({ enum: JOB_STATUSES, example: 'RUNNING' }) status!: JobStatus;
  @ApiProperty({ type: JobLinksDto }) links!: JobLinksDto;
}

/** Where a job is followed. */
const JOBS_PATH = `/${API_PREFIX}/jobs`;

/** The 202 body of a trigger. */
export function startedJobBody(job: StartedJob): StartedJobDto {
  return { ...job, links: { self: `${JOBS_PATH}/${job.job_id}` } };
}
