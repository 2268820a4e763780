import { Global, Module } from '@nestjs/common';
import { PINNED_NOW } from '../common/clock';
import { AppConfig, loadConfig } from './app-config';

/**
 * The typed AppConfig of process.env, for every module. The entry points have refused an invalid environment
 * before Nest starts (src/preflight.ts), so this validation does not fail there.
 */
@Global()
@Module({
  providers: [
    { provide: AppConfig, useFactory: () => loadConfig(process.env) },
    { provide: PINNED_NOW, inject: [AppConfig], useFactory: (config: AppConfig) => config.pinnedNow ?? null },
  ],
  exports: [AppConfig, PINNED_NOW],
})
export class ConfigModule {}
