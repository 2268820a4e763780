import { Module } from '@nestjs/common';
import { IngestCommand } from './ingest.command';
import { JobsCommand } from './jobs.command';
import { PipelineModule } from './pipeline.module';

// One module per verb, so that the whole CLI (src/cli.module.ts) lists the verbs in its own order.

/** `candlekeep ingest`. */
@Module({ imports: [PipelineModule], providers: [IngestCommand] })
export class IngestCliModule {}

/** `candlekeep jobs`. */
@Module({ imports: [PipelineModule], providers: [JobsCommand] })
export class JobsCliModule {}
