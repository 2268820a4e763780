import { Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [CandlesModule], controllers: [HealthController], providers: [HealthService] })
export class ApiModule {}
