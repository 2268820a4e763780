import { AssetsModule } from './assets/assets.module';
import { Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { CandleStoreModule } from './candles/candle-store.module';
import { DatabaseModule } from './database/database.module';
import { MigrateCommand } from './database/migrate.command';

/** Root module for `candlekeep <verb>`: the same feature modules as the server, no HTTP, no schedules. */
@Module({
  imports: [ConfigModule, CommonModule, DatabaseModule, CandleStoreModule, AssetsModule],
  providers: [MigrateCommand],
})
export class CliModule {}
