import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { CandleStore } from './candle-store';
import { PostgresCandleStore } from './postgres-candle-store';
import { QuestDbCandleStore } from './questdb/questdb-candle-store';

/** Provides the CandleStore port, chosen by CANDLE_STORE. */
@Module({
  providers: [
    {
      provide: CandleStore,
      inject: [AppConfig, DataSource],
      useFactory: (config: AppConfig, dataSource: DataSource): CandleStore => {
        switch (config.candleStore) {
          case 'postgres':
            return new PostgresCandleStore(dataSource);
          case 'questdb':
            return QuestDbCandleStore.fromConfig(config);
          default:
            throw new ConfigError(`CANDLE_STORE=${String(config.candleStore)} is not a candle store`);
        }
      },
    },
  ],
  exports: [CandleStore],
})
export class CandlesModule {}
