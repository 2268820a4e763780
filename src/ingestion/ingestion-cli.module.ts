import { Module } from '@nestjs/common';
import { IngestCommand } from './ingest.command';
import { IngestionModule } from './ingestion.module';
import { JobsCommand } from './jobs.command';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep ingest`. */
@Module({ imports: [IngestionModule], providers: [IngestCommand] })
export class IngestCliModule {}

/** `candlekeep jobs`. */
@Module({ imports: [IngestionModule], providers: [JobsCommand] })
export class JobsCliModule {}
