import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { CANDLE_SOURCES, CandleSource } from '../../common/enums';
import { CoveredSpan, SeriesCoverage, SymbolCoverage } from '../../reports/series-coverage.service';
import { GapDto } from './gaps.dto';

/** GET /series/:symbol/coverage. */
export class CoverageQueryDto {
  @ApiPropertyOptional({ description: 'only the series at this interval (minutes or 1h, 1d, …)', example: '1440' })
  @IsOptional()
  @IsString()
  interval?: string;
}

export class CoveredSpanDto implements CoveredSpan {
  @ApiProperty({ description: 'first covered open time (inclusive)' }) start_ts!: string;
  @ApiProperty({ description: 'last covered open time (inclusive)' }) end_ts!: string;
  @ApiProperty({ description: 'candles held in the span (fewer than its slots where there were no trades)' })
  candles!: number;
  @ApiProperty({ enum: CANDLE_SOURCES, isArray: true }) sources!: CandleSource[];
}

export class SeriesCoverageDto implements SeriesCoverage {
  @ApiProperty({ description: 'minutes' }) interval!: number;
  @ApiProperty({ description: 'start of the expected window' }) expected_from!: string;
  @ApiProperty({ type: [CoveredSpanDto], description: 'the coverage ranges, oldest first (disjoint)' })
  covered!: CoveredSpanDto[];
  @ApiProperty({
    type: [GapDto],
    description:
      "the ledger's records (open and IGNORED, gaps and suspects), oldest first: the gaps among them are exactly " +
      'the uncovered part of the expected window',
  })
  gaps!: GapDto[];
}

export class SymbolCoverageDto implements SymbolCoverage {
  @ApiProperty({ description: 'the standard symbol the name given stands for', example: 'BTC-USD-SPOT' })
  symbol!: string;
  @ApiProperty({ type: [SeriesCoverageDto], description: 'the expected series of the asset, by interval' })
  series!: SeriesCoverageDto[];
}
