import { Module } from '@nestjs/common';
import { AssetsCliModule } from './assets/assets-cli.module';
import { CandlesCliModule } from './reports/candles-cli.module';
import { CliCoreModule } from './cli/cli-core.module';
import { MigrateCliModule } from './maintenance/migrate-cli.module';
import { BackfillCliModule, UpdateMarketDataCliModule } from './backfill/backfill-cli.module';
import { CleanupCliModule, GapsCliModule } from './gaps/gaps-cli.module';
import { IngestCliModule, JobsCliModule } from './pipeline/pipeline-cli.module';
import { ReportCliModule, SeriesCliModule, ValidateCliModule } from './reports/reports-cli.module';
import { TasksCliModule } from './tasks/tasks-cli.module';
import { TokensCliModule } from './tokens/tokens-cli.module';
import { CompareCliModule, LatestCliModule } from './timeseries/timeseries-cli.module';

/**
 * Root module of the whole CLI: every verb, the same feature modules as the server, no HTTP, no schedules.
 * A known verb boots only its own module (src/cli/verb-modules.ts); this one answers the rest (top-level help,
 * `help`, an unknown verb: commander's messages name every verb) and records the help texts at build time.
 * The verbs are listed in help in the order of these imports.
 */
@Module({
  imports: [
    CliCoreModule,
    MigrateCliModule,
    AssetsCliModule,
    IngestCliModule,
    JobsCliModule,
    BackfillCliModule,
    GapsCliModule,
    SeriesCliModule,
    UpdateMarketDataCliModule,
    ReportCliModule,
    ValidateCliModule,
    CleanupCliModule,
    TasksCliModule,
    CandlesCliModule,
    TokensCliModule,
    CompareCliModule,
    LatestCliModule,
  ],
})
export class CliModule {}
