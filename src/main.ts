import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureHttp } from './api/api.module';
import { openApiDocument, serveOpenApi } from './api/openapi';
import { AppModule } from './app.module';
import { withConfig } from './config/config.module';
import { errorBody, exitCodeFor } from './common/error-map';
import { logLevelsFor, StderrLogger } from './common/stderr-logger';
import { MigrationService } from './maintenance/migration.service';
import { preflight } from './preflight';

async function bootstrap(): Promise<void> {
  // The configuration and DATABASE_URL (retried DATABASE_CONNECT_RETRIES times) before Nest starts.
  const config = await preflight([]);
  if (typeof config === 'number') process.exit(config);
  const log = new Logger('main');
  const app = await NestFactory.create(withConfig(AppModule, config), {
    logger: new StderrLogger('candlekeep', { logLevels: logLevelsFor(config.logLevel) }),
    abortOnError: false,
  });
  app.enableShutdownHooks();
  // helmet, the /api/v1 prefix; the guards (tokens, throttling), the error filter and validation are ApiModule's.
  configureHttp(app);
  serveOpenApi(app, openApiDocument(app));
  const migrations = app.get(MigrationService);
  const { applied } = await migrations.migrate();
  if (applied.length) log.log(`applied ${applied.length} migration(s)`);
  // An unreachable candle store does not stop the service: GET /health reports it (503) until it is back.
  const candleStore = await migrations.migrateCandleStore();
  if (!candleStore.reachable) log.warn(`candle store ${candleStore.store} not ready: ${candleStore.error}`);
  if (!config.server.auth) log.warn(`API_AUTH=off: every route answers without a token (HOST ${config.server.host})`);
  await app.listen(config.server.port, config.server.host);
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  log.log(
    `candlekeep listening on http://${host}:${address.port} (schedules ${config.schedules.enabled ? 'on' : 'off'})`,
  );
}

bootstrap().catch((e: unknown) => {
  process.stderr.write(`candlekeep: failed to start: ${errorBody(e).message}\n`);
  process.exit(exitCodeFor(e));
});
