import { Module } from '@nestjs/common';
import { AssetsActivateCommand, AssetsDeactivateCommand } from './assets/assets-active.command';
import { AssetsListCommand } from './assets/assets-list.command';
import { AssetsSyncCommand } from './assets/assets-sync.command';
import { AssetsCommand } from './assets/assets.command';
import { AssetsModule } from './assets/assets.module';
import { CandlesExportModule } from './candles/candles-export.module';
import { CandlesCommand } from './candles/candles.command';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { MigrateCommand } from './database/migrate.command';
import { BackfillCommand } from './gaps/backfill.command';
import { GapsCommand } from './gaps/gaps.command';
import { GapsModule } from './gaps/gaps.module';
import { SeriesCommand } from './reports/series.command';
import { UpdateMarketDataCommand } from './gaps/update-market-data.command';
import { IngestCommand } from './ingestion/ingest.command';
import { IngestionModule } from './ingestion/ingestion.module';
import { JobsCommand } from './ingestion/jobs.command';
import { CleanupCommand } from './reports/cleanup.command';
import { ReportCommand } from './reports/report.command';
import { ReportsModule } from './reports/reports.module';
import { ValidateCommand } from './reports/validate.command';
import { TasksCommand } from './tasks/tasks.command';
import { TasksModule } from './tasks/tasks.module';

/** Root module for `candlekeep <verb>`: the same feature modules as the server, no HTTP, no schedules. */
@Module({
  imports: [ConfigModule, CommonModule, DatabaseModule, AssetsModule, IngestionModule, GapsModule, ReportsModule, TasksModule, CandlesExportModule],
  providers: [
    MigrateCommand,
    AssetsCommand,
    AssetsListCommand,
    AssetsSyncCommand,
    AssetsActivateCommand,
    AssetsDeactivateCommand,
    IngestCommand,
    JobsCommand,
    BackfillCommand,
    GapsCommand,
    SeriesCommand,
    UpdateMarketDataCommand,
    ReportCommand,
    ValidateCommand,
    CleanupCommand,
    TasksCommand,
    CandlesCommand,
  ],
})
export class CliModule {}
