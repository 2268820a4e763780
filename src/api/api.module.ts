import { Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { JobsApiModule } from './jobs-api.module';
import { StateApiModule } from './state-api.module';

@Module({
  imports: [CandlesModule, StateApiModule, JobsApiModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class ApiModule {}
