import { Module } from '@nestjs/common';
import { CompareCommand } from './compare.command';
import { LatestCommand } from './latest.command';
import { TimeseriesModule } from './timeseries.module';

/** `candlekeep compare`. */
@Module({ imports: [TimeseriesModule], providers: [CompareCommand] })
export class CompareCliModule {}

/** `candlekeep latest`. */
@Module({ imports: [TimeseriesModule], providers: [LatestCommand] })
export class LatestCliModule {}
