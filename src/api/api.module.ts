import { Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { TimeseriesApiModule } from './timeseries-api.module';

@Module({ imports: [CandlesModule, TimeseriesApiModule], controllers: [HealthController], providers: [HealthService] })
export class ApiModule {}
