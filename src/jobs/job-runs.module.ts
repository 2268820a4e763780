import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { IngestionJobRepository } from './ingestion-job.repository';
import { JobRunRecorder } from './job-run-recorder';

/**
 * The job rows (`ingestion_jobs`): every ingest, backfill, market-data update and task run. Below the
 * feature modules, so that the gap fillers' commands and the tasks record their runs without importing
 * ingestion.
 */
@Module({
  imports: [TypeOrmModule.forFeature([IngestionJob])],
  providers: [IngestionJobRepository, JobRunRecorder],
  exports: [IngestionJobRepository, JobRunRecorder],
})
export class JobRunsModule {}
