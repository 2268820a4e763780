import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { BackfillModule } from '../backfill/backfill.module';
import { GapsModule } from '../gaps/gaps.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { JobRunsModule } from '../jobs/job-runs.module';
import { ReportsModule } from '../reports/reports.module';
import { UnifiedIngestService } from './unified-ingest.service';

/** The unified ingest: archives, then the touched series' gaps detected and filled, then the report. */
@Module({
  imports: [AssetsModule, IngestionModule, GapsModule, BackfillModule, ReportsModule, JobRunsModule],
  providers: [UnifiedIngestService],
  exports: [UnifiedIngestService, IngestionModule],
})
export class PipelineModule {}
