import { FactoryProvider, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CandleStore } from './candle-store';
import { QuestDbCandleStore } from './questdb/questdb-candle-store';

/**
 * The CandleStore selected by CANDLE_STORE: `questdb` gives the QuestDB store.
 * With `postgres` (the default) candles live in the state database; this
 * provider yields null and its users report the state database instead.
 */
export const QUESTDB_CANDLE_STORE_PROVIDER: FactoryProvider<CandleStore | null> = {
  provide: CandleStore,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => (config.candleStore === 'questdb' ? QuestDbCandleStore.fromConfig(config) : null),
};

@Global()
@Module({ providers: [QUESTDB_CANDLE_STORE_PROVIDER], exports: [CandleStore] })
export class CandleStoreModule {}
