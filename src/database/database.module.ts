import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CandlesModule } from '../candles/candles.module';
import { DatabaseConnection } from './database-connection';
import { dataSourceOptions } from './data-source-options';
import { MigrationService } from './migration.service';

@Global()
@Module({ providers: [DatabaseConnection], exports: [DatabaseConnection] })
export class DatabaseConnectionModule {}

@Global()
@Module({
  imports: [
    DatabaseConnectionModule,
    CandlesModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [DatabaseConnection],
      useFactory: async (connection: DatabaseConnection) => dataSourceOptions(await connection.resolveUrl()),
    }),
  ],
  providers: [MigrationService],
  exports: [MigrationService],
})
export class DatabaseModule {}
