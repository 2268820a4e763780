import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion/ingestion.module';
import { TasksModule } from '../tasks/tasks.module';
import { IngestController } from './ingest.controller';
import { JobsController } from './jobs.controller';
import { TasksController } from './tasks.controller';

/** Work started over HTTP and its jobs: POST /ingest/batch, /ingest/:symbol, /tasks/:name/run; GET, DELETE /jobs/:id. */
@Module({
  imports: [TasksModule, IngestionModule],
  controllers: [IngestController, TasksController, JobsController],
})
export class JobsApiModule {}
