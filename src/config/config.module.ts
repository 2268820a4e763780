import { DynamicModule, Module, Type } from '@nestjs/common';
import { PINNED_NOW } from '../common/clock';
import { AppConfig } from './app-config';

/**
 * The configuration for every module. It is not read here: the entry points validate the environment once,
 * before Nest starts (src/preflight.ts, which refuses an invalid one), and provide that instance.
 */
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: PINNED_NOW, useValue: config.pinnedNow ?? null },
      ],
      exports: [AppConfig, PINNED_NOW],
    };
  }
}

/** The application's root module with `config` provided to all of its modules. */
export function withConfig(root: Type | DynamicModule, config: AppConfig): DynamicModule {
  const dynamic: DynamicModule = 'module' in root ? root : { module: root };
  return { ...dynamic, imports: [...(dynamic.imports ?? []), ConfigModule.forRoot(config)] };
}
