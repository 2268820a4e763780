import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { FILLABILITIES, Fillability, Tier, TIERS } from '../../common/enums';
import {
  CompletenessReport,
  IntervalReport,
  SeriesReport,
  TierReport,
} from '../../reports/completeness-report.service';
import { INTERVALS_HELP, SYMBOLS_HELP } from './series.dto';

/** GET /report: the options of `candlekeep report --json`. */
export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'only assets of this tier (TIER1..TIER4, or 1..4)', example: 'TIER1' })
  @IsOptional()
  @IsString()
  tier?: string;

  @ApiPropertyOptional({ description: `only these intervals (default: every series held): ${INTERVALS_HELP}` })
  @IsOptional()
  @IsString()
  intervals?: string;

  @ApiPropertyOptional({ description: `only these assets: ${SYMBOLS_HELP}` })
  @IsOptional()
  @IsString()
  symbols?: string;

  @ApiPropertyOptional({
    description: 'start the expected window no earlier than this instant (ISO-8601 or epoch seconds)',
    example: '2025-01-01',
  })
  @IsOptional()
  @IsString()
  since?: string;
}

const BY_FILLABILITY = {
  type: 'object',
  description: `by fillability (${FILLABILITIES.join(', ')})`,
  additionalProperties: { type: 'number' },
} as const;

export class SeriesReportDto implements SeriesReport {
  @ApiProperty({ example: 'BTC-USD-SPOT' }) symbol!: string;
  @ApiProperty({ enum: TIERS }) tier!: Tier;
  @ApiProperty({ description: 'minutes' }) interval!: number;
  @ApiProperty({ type: String, nullable: true }) first!: string | null;
  @ApiProperty({ type: String, nullable: true }) last!: string | null;
  @ApiProperty({ type: String, nullable: true }) window_start!: string | null;
  @ApiProperty() window_end!: string;
  @ApiProperty({ description: 'covered share of the expected window, IGNORED spans left out of it' })
  coverage_pct!: number;
  @ApiProperty() open_gaps!: number;
  @ApiProperty({ description: 'uncovered intervals of the window, IGNORED ones left out' }) missing_intervals!: number;
  @ApiProperty() suspect_gaps!: number;
  @ApiProperty() ignored_gaps!: number;
  @ApiProperty() ignored_intervals!: number;
  @ApiProperty() intervals_behind!: number;
  @ApiProperty() stale!: boolean;
  @ApiProperty({ description: 'covered over the whole window, no open gap and no suspect record' })
  complete!: boolean;
}

export class IntervalReportDto implements IntervalReport {
  @ApiProperty() interval!: number;
  @ApiProperty() series!: number;
  @ApiProperty() complete_series!: number;
  @ApiProperty() completeness_pct!: number;
  @ApiProperty() open_gaps!: number;
  @ApiProperty(BY_FILLABILITY) open_gaps_by_fillability!: Record<Fillability, number>;
  @ApiProperty(BY_FILLABILITY) missing_intervals_by_fillability!: Record<Fillability, number>;
  @ApiProperty() suspect_gaps!: number;
  @ApiProperty() ignored_gaps!: number;
  @ApiProperty() stale_series!: number;
  @ApiProperty() complete!: boolean;
}

export class TierReportDto implements TierReport {
  @ApiProperty({ enum: TIERS }) tier!: Tier;
  @ApiProperty() series!: number;
  @ApiProperty() complete_series!: number;
  @ApiProperty() completeness_pct!: number;
  @ApiProperty() complete!: boolean;
  @ApiProperty({ type: [IntervalReportDto] }) intervals!: IntervalReportDto[];
}

export class ReportSummaryDto {
  @ApiProperty() series!: number;
  @ApiProperty({ description: 'series complete (a count of series, not of intervals)' }) complete_series!: number;
  @ApiProperty({ description: 'intervals covered over intervals expected, all series together' })
  completeness_pct!: number;
  @ApiProperty() open_gaps!: number;
  @ApiProperty() missing_intervals!: number;
  @ApiProperty() suspect_gaps!: number;
  @ApiProperty() ignored_gaps!: number;
  @ApiProperty() stale_series!: number;
}

/** `candlekeep report --json`. */
export class CompletenessReportDto implements CompletenessReport {
  @ApiProperty() generated_at!: string;
  @ApiProperty({ type: String, nullable: true }) since!: string | null;
  @ApiProperty() stale_hours!: number;
  @ApiProperty({ type: ReportSummaryDto }) summary!: ReportSummaryDto;
  @ApiProperty({ type: [TierReportDto] }) tiers!: TierReportDto[];
  @ApiProperty({ type: [SeriesReportDto] }) series!: SeriesReportDto[];
}
