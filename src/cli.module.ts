import { AssetsModule } from './assets/assets.module';
import { Module } from '@nestjs/common';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { MigrateCommand } from './database/migrate.command';
import { IngestCommand } from './ingestion/ingest.command';
import { IngestionModule } from './ingestion/ingestion.module';
import { JobsCommand } from './ingestion/jobs.command';

/** Root module for `candlekeep <verb>`: the same feature modules as the server, no HTTP, no schedules. */
@Module({
  imports: [ConfigModule, CommonModule, DatabaseModule, AssetsModule, IngestionModule],
  providers: [MigrateCommand, IngestCommand, JobsCommand],
})
export class CliModule {}
