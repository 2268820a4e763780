import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { API_SCOPES, ApiScope } from '../entities/api-token.entity';
import { ApiTokenEntry } from '../tokens/api-tokens.service';

class ApiTokenDto implements ApiTokenEntry {
  @ApiProperty({ example: 'grafana' }) name!: string;
  @ApiProperty({ enum: API_SCOPES, isArray: true }) scopes!: ApiScope[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_used_at!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revoked_at!: string | null;
}

/** GET /api/v1/tokens: every token (never the token itself, nor its hash). */
export class ApiTokenListDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: ApiTokenDto, isArray: true }) tokens!: ApiTokenDto[];
}

/** The query of GET /api/v1/tokens. */
export class TokenListQueryDto {
  @ApiPropertyOptional({ description: 'true: only the tokens not revoked; false: only the revoked ones' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}
