import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { FILLABILITIES, GAP_KINDS, GAP_STATUSES, GapKind, GapStatus } from '../../common/enums';
import { GapView } from '../../gaps/gaps.service';
import { INTERVALS_HELP, SYMBOLS_HELP } from './series.dto';

/** GET /gaps: the filters of `candlekeep gaps list`. */
export class GapsQueryDto {
  @ApiPropertyOptional({ description: 'only assets of this tier (TIER1..TIER4, or 1..4)', example: 'TIER1' })
  @IsOptional()
  @IsString()
  tier?: string;

  @ApiPropertyOptional({ description: `only these assets: ${SYMBOLS_HELP}` })
  @IsOptional()
  @IsString()
  symbols?: string;

  @ApiPropertyOptional({ description: `only these intervals: ${INTERVALS_HELP}` })
  @IsOptional()
  @IsString()
  intervals?: string;

  @ApiPropertyOptional({
    description: `comma-separated statuses (${GAP_STATUSES.join(', ')}), "open" (the default) or "all"`,
    example: 'open',
  })
  @IsOptional()
  @IsString()
  status?: string;

  @ApiPropertyOptional({ enum: GAP_KINDS, description: 'suspect: covered spans whose "no trades" is contradicted' })
  @IsOptional()
  @IsIn(GAP_KINDS)
  kind?: GapKind;
}

/** A gap record as `candlekeep gaps --json` prints it. */
export class GapDto implements GapView {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'BTC-USD-SPOT' }) symbol!: string;
  @ApiProperty({ description: 'minutes' }) interval!: number;
  @ApiProperty({ description: 'first missing open time (inclusive)' }) start_ts!: string;
  @ApiProperty({ description: 'last missing open time (inclusive)' }) end_ts!: string;
  @ApiProperty() missing_intervals!: number;
  @ApiProperty({ enum: FILLABILITIES }) fillability!: string;
  @ApiProperty({ enum: GAP_STATUSES }) status!: GapStatus;
  @ApiProperty({ enum: GAP_KINDS }) kind!: GapKind;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty() candles_filled!: number;
  @ApiProperty({ type: String, nullable: true, description: 'the archive file that holds the span' })
  archive_hint!: string | null;
  @ApiProperty() detected_at!: string;
  @ApiProperty({ type: String, nullable: true }) resolved_at!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'a FAILED record is not retried before this time' })
  next_attempt_at!: string | null;
}

/** `candlekeep gaps --json`. */
export class GapListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [GapDto] }) gaps!: GapDto[];
}
