import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { CoverageModule } from '../coverage/coverage.module';
import { GapRecord } from '../entities/gap-record.entity';
import { KrakenModule } from '../sources/kraken/kraken.module';
import { GapDetectorService } from './gap-detector.service';
import { GapRecoveryService } from './gap-recovery.service';
import { GapRetryPolicy } from './gap-retry.policy';
import { GapRepository } from './gap.repository';
import { GapsService } from './gaps.service';
import { CleanupService } from './retention.service';
import { SeriesSelectorService } from './series-selector.service';
import { SuspectService } from './suspect.service';

/** The gap ledger: detection from coverage, the records and their states, suspects, retry policy, retention. */
@Module({
  imports: [TypeOrmModule.forFeature([GapRecord]), AssetsModule, CandlesModule, CoverageModule, KrakenModule],
  providers: [
    GapRepository,
    GapDetectorService,
    GapsService,
    GapRecoveryService,
    GapRetryPolicy,
    SuspectService,
    SeriesSelectorService,
    CleanupService,
  ],
  exports: [
    GapRepository,
    GapDetectorService,
    GapsService,
    GapRecoveryService,
    GapRetryPolicy,
    SuspectService,
    SeriesSelectorService,
    CleanupService,
  ],
})
export class GapsModule {}
