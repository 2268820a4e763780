import { Module } from '@nestjs/common';
import { CoverageModule } from '../coverage/coverage.module';
import { TimeseriesModule } from '../timeseries/timeseries.module';
import { ReportCommand } from './report.command';
import { ReportsModule } from './reports.module';
import { SeriesCommand } from './series.command';
import { ValidateCommand } from './validate.command';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/**
 * `candlekeep series`: lists through the reports module, drops through the coverage module's SeriesService,
 * aggregates (`series SYMBOL`) through the TimeseriesService.
 */
@Module({ imports: [ReportsModule, CoverageModule, TimeseriesModule], providers: [SeriesCommand] })
export class SeriesCliModule {}

/** `candlekeep report`. */
@Module({ imports: [ReportsModule], providers: [ReportCommand] })
export class ReportCliModule {}

/** `candlekeep validate`. */
@Module({ imports: [ReportsModule], providers: [ValidateCommand] })
export class ValidateCliModule {}
