import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { errorBody, exitCodeFor } from './common/error-map';
import { logLevelsFor, StderrLogger } from './common/stderr-logger';
import { AppConfig, loadConfig } from './config/app-config';
import { MigrationService } from './database/migration.service';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    process.stderr.write(`candlekeep: ${errorBody(e).message}\n`);
    process.exit(exitCodeFor(e));
  }
  const app = await NestFactory.create(AppModule, {
    logger: new StderrLogger('candlekeep', { logLevels: logLevelsFor(config.logLevel) }),
  });
  app.enableShutdownHooks();
  const migrations = app.get(MigrationService);
  const { applied } = await migrations.migrate();
  const logger = new Logger('main');
  if (applied.length) logger.log(`applied ${applied.length} migration(s)`);
  // An unreachable candle store does not stop the service: GET /health reports it (503) until it is back.
  const candleStore = await migrations.migrateCandleStore();
  if (!candleStore.reachable) logger.warn(`candle store ${candleStore.store} not ready: ${candleStore.error}`);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`candlekeep listening on http://localhost:${config.port} (schedules ${config.schedulesEnabled ? 'on' : 'off'})`);
}

bootstrap().catch((e: unknown) => {
  process.stderr.write(`candlekeep: failed to start: ${errorBody(e).message}\n`);
  process.exit(exitCodeFor(e));
});
