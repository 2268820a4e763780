import { Global, Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { MigrationService } from './migration.service';

/**
 * The schema: PostgreSQL migrations and the candle store's tables. Global: every verb checks for pending migrations.
 */
@Global()
@Module({ imports: [CandlesModule], providers: [MigrationService], exports: [MigrationService] })
export class MaintenanceModule {}
