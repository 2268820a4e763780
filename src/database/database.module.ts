import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseConnection } from './database-connection';
import { dataSourceOptions } from './data-source-options';
import { AdvisoryLockRepository } from './advisory-lock.repository';

@Global()
@Module({ providers: [DatabaseConnection], exports: [DatabaseConnection] })
export class DatabaseConnectionModule {}

@Global()
@Module({
  imports: [
    DatabaseConnectionModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [DatabaseConnection],
      // One connection attempt up front (probeDatabase: a clear line, exit 2, retries only when asked); TypeORM's
      // own retries off.
      // CANDLEKEEP_NO_DATABASE=1 (build tools, e.g. recording the help texts): the DataSource is never initialised.
      useFactory: async (connection: DatabaseConnection) =>
        process.env.CANDLEKEEP_NO_DATABASE === '1'
          ? { ...dataSourceOptions('postgres://127.0.0.1:1/none'), manualInitialization: true }
          : { ...dataSourceOptions(await connection.resolveUrl()), retryAttempts: 0 },
    }),
  ],
  providers: [AdvisoryLockRepository],
  exports: [AdvisoryLockRepository],
})
export class DatabaseModule {}
