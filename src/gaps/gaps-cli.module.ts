import { Module } from '@nestjs/common';
import { BackfillCommand } from './backfill.command';
import { GapsCommand } from './gaps.command';
import { GapsModule } from './gaps.module';
import { UpdateMarketDataCommand } from './update-market-data.command';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep backfill`. */
@Module({ imports: [GapsModule], providers: [BackfillCommand] })
export class BackfillCliModule {}

/** `candlekeep gaps`. */
@Module({ imports: [GapsModule], providers: [GapsCommand] })
export class GapsCliModule {}

/** `candlekeep update-market-data`. */
@Module({ imports: [GapsModule], providers: [UpdateMarketDataCommand] })
export class UpdateMarketDataCliModule {}
