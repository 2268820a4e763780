import { AssetsModule } from './assets/assets.module';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiModule } from './api/api.module';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { CandleStoreModule } from './candles/candle-store.module';
import { DatabaseModule } from './database/database.module';

/** Root module of the service (`npm start`): HTTP API and scheduled tasks. */
@Module({
  imports: [ConfigModule, CommonModule, DatabaseModule, CandleStoreModule, AssetsModule, ScheduleModule.forRoot(), ApiModule],
})
export class AppModule {}
