import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConfigError } from '../common/errors';
import { AppConfig } from '../config/app-config';
import { CachedCandleStore } from './cached-candle-store';
import { CandleStore } from './candle-store';
import { CandleWriteVersionRepository } from './candle-write-version.repository';
import { PostgresCandleStore } from './postgres-candle-store';
import { QuestDbCandleStore } from './questdb/questdb-candle-store';

/**
 * Provides the CandleStore port: the store CANDLE_STORE chooses, behind the exact aggregate cache
 * (CachedCandleStore, AGGREGATE_CACHE_MB).
 */
@Module({
  providers: [
    CandleWriteVersionRepository,
    {
      provide: CandleStore,
      inject: [AppConfig, DataSource, CandleWriteVersionRepository],
      useFactory: (config: AppConfig, dataSource: DataSource, versions: CandleWriteVersionRepository): CandleStore =>
        new CachedCandleStore(
          storeOf(config, dataSource),
          versions,
          // Three quarters of AGGREGATE_CACHE_MB; the page cache of the time series takes the other quarter.
          Math.floor(config.server.aggregateCacheMb * 1024 * 1024 * 0.75),
        ),
    },
  ],
  exports: [CandleStore, CandleWriteVersionRepository],
})
export class CandlesModule {}

function storeOf(config: AppConfig, dataSource: DataSource): CandleStore {
  switch (config.candleStore) {
    case 'postgres':
      return new PostgresCandleStore(dataSource);
    case 'questdb':
      return QuestDbCandleStore.fromConfig(config);
    default:
      throw new ConfigError(`CANDLE_STORE=${String(config.candleStore)} is not a candle store`);
  }
}
