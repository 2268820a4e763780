import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig, loadConfig } from './app-config';

/**
 * Validates the environment once (through @nestjs/config's validate hook) and
 * exposes the typed AppConfig to every module.
 */
@Global()
@Module({
  imports: [
    NestConfigModule.forRoot({
      ignoreEnvFile: true,
      validate: (env) => ({ ...env, __candlekeep: loadConfig(env as NodeJS.ProcessEnv) }),
    }),
  ],
  providers: [{ provide: AppConfig, useFactory: () => loadConfig(process.env) }],
  exports: [AppConfig],
})
export class ConfigModule {}
