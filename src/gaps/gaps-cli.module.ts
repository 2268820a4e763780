import { Module } from '@nestjs/common';
import { CleanupCommand } from './cleanup.command';
import { GapsCommand } from './gaps.command';
import { GapsModule } from './gaps.module';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep gaps`. */
@Module({ imports: [GapsModule], providers: [GapsCommand] })
export class GapsCliModule {}

/** `candlekeep cleanup`. */
@Module({ imports: [GapsModule], providers: [CleanupCommand] })
export class CleanupCliModule {}
