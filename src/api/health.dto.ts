import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CandleStoreHealth } from '../candles/candle-store';
import { HealthReport } from './health.service';

class HealthDatabaseDto {
  @ApiProperty() reachable!: boolean;
  @ApiProperty({ description: 'the embedded PostgreSQL (no DATABASE_URL)' }) embedded!: boolean;
  @ApiPropertyOptional({ description: 'migrations not yet applied (when reachable)' }) pending_migrations?: boolean;
  @ApiPropertyOptional() error?: string;
}

class HealthCandleStoreDto implements CandleStoreHealth {
  @ApiProperty({ enum: ['postgres', 'questdb'] }) store!: 'postgres' | 'questdb';
  @ApiProperty() reachable!: boolean;
  @ApiPropertyOptional() error?: string;
}

/** GET /health, as the OpenAPI document states it. */
export class HealthReportDto implements HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ type: HealthDatabaseDto }) database!: HealthDatabaseDto;
  @ApiProperty({ type: HealthCandleStoreDto }) candle_store!: HealthCandleStoreDto;
}
