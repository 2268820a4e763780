import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { CandleStore } from './candle-store';
import { PostgresCandleStore } from './postgres-candle-store';

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
          default:
            throw new ConfigError(`CANDLE_STORE=${config.candleStore} is not available in this build`);
        }
      },
    },
  ],
  exports: [CandleStore],
})
export class CandlesModule {}
