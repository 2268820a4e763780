import { Logger as NestLogger } from '@nestjs/common';
import { Logger } from 'typeorm';

/**
 * TypeORM's console loggers print failed queries with console.log, i.e. on
 * stdout, which breaks `--json` (one JSON object on stdout, logs on stderr).
 * This one goes through Nest's logger (stderr). A failed query is logged at
 * debug level only: the error itself reaches the caller, which reports it or,
 * for an expected conflict (e.g. a unique index refusing a duplicate that
 * another process just wrote), handles it.
 */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug(`query failed: ${error instanceof Error ? error.message : error}: ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
