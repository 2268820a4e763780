import { Module } from '@nestjs/common';
import { GapsModule } from '../gaps/gaps.module';
import { CleanupCommand } from './cleanup.command';
import { ReportCommand } from './report.command';
import { ReportsModule } from './reports.module';
import { SeriesCommand } from './series.command';
import { ValidateCommand } from './validate.command';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep series`: lists through the reports module, drops through the gaps module's SeriesService. */
@Module({ imports: [ReportsModule, GapsModule], providers: [SeriesCommand] })
export class SeriesCliModule {}

/** `candlekeep report`. */
@Module({ imports: [ReportsModule], providers: [ReportCommand] })
export class ReportCliModule {}

/** `candlekeep validate`. */
@Module({ imports: [ReportsModule], providers: [ValidateCommand] })
export class ValidateCliModule {}

/** `candlekeep cleanup`. */
@Module({ imports: [ReportsModule], providers: [CleanupCommand] })
export class CleanupCliModule {}
