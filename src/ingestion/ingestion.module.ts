import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { CoverageModule } from '../gaps/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { ReportsModule } from '../reports/reports.module';
import { ArchiveDiscoveryService } from './archive-discovery.service';
import { FileLedgerRepository } from './file-ledger.repository';
import { IngestService } from './ingest.service';
import { JobRunsModule } from '../jobs/job-runs.module';
import { IngestionRejectRepository } from './ingestion-reject.repository';
import { JobsService } from './jobs.service';
import { UnifiedIngestService } from './unified-ingest.service';

/** Archive ingestion: discovery, file ledger, parser, ingest orchestration, jobs. */
@Module({
  imports: [TypeOrmModule.forFeature([FileIngestionRecord]), JobRunsModule, AssetsModule, CandlesModule, CoverageModule, GapsModule, ReportsModule],
  providers: [ArchiveDiscoveryService, FileLedgerRepository, IngestionRejectRepository, IngestService, JobsService, UnifiedIngestService],
  exports: [IngestService, UnifiedIngestService, JobsService, FileLedgerRepository],
})
export class IngestionModule {}

