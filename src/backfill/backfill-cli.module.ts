import { Module } from '@nestjs/common';
import { BackfillCommand } from './backfill.command';
import { BackfillModule } from './backfill.module';
import { UpdateMarketDataCommand } from './update-market-data.command';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep backfill`. */
@Module({ imports: [BackfillModule], providers: [BackfillCommand] })
export class BackfillCliModule {}

/** `candlekeep update-market-data`. */
@Module({ imports: [BackfillModule], providers: [UpdateMarketDataCommand] })
export class UpdateMarketDataCliModule {}
