import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { CoverageModule } from '../coverage/coverage.module';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { GapsModule } from '../gaps/gaps.module';
import { JobRunsModule } from '../jobs/job-runs.module';
import { KrakenModule } from '../sources/kraken/kraken.module';
import { ArchiveDiscoveryService } from './archive-discovery.service';
import { FileDedupService } from './file-dedup.service';
import { FileLedgerRepository } from './file-ledger.repository';
import { FileLoaderService } from './file-loader.service';
import { FileSelectionService } from './file-selection.service';
import { IngestJobRunner } from './ingest-job-runner';
import { IngestService } from './ingest.service';
import { IngestionRejectRepository } from './ingestion-reject.repository';
import { JobsService } from './jobs.service';

/** Archive ingestion: discovery, file ledger, parser, the archive half of an ingest job, job listing. */
@Module({
  imports: [
    TypeOrmModule.forFeature([FileIngestionRecord]),
    JobRunsModule,
    AssetsModule,
    CandlesModule,
    CoverageModule,
    GapsModule,
    KrakenModule,
  ],
  providers: [
    ArchiveDiscoveryService,
    FileLedgerRepository,
    IngestionRejectRepository,
    FileSelectionService,
    FileDedupService,
    FileLoaderService,
    IngestJobRunner,
    IngestService,
    JobsService,
  ],
  exports: [IngestService, JobsService, FileLedgerRepository],
})
export class IngestionModule {}
