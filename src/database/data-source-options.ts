import { join, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { ENTITIES } from '../entities';
import { TypeOrmLogger } from './typeorm-logger';

/**
 * Migrations live in `migrations/` at the repository root: compiled to
 * dist/migrations for the built app, loaded as TypeScript under jest.
 */
export function migrationsGlob(): string {
  const fromTs = __filename.endsWith('.ts');
  const dir = fromTs ? resolve(__dirname, '..', '..', 'migrations') : resolve(__dirname, '..', 'migrations');
  return join(dir, fromTs ? '*.ts' : '*.js');
}

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [migrationsGlob()],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'warn'],
    logger: new TypeOrmLogger(),
    extra: { max: 10, application_name: 'candlekeep' },
  };
}
