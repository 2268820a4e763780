import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { GapRecord } from '../entities/gap-record.entity';
import { JobRunsModule } from '../jobs/job-runs.module';
import { KrakenModule } from '../sources/kraken/kraken.module';
import { BackfillService } from './backfill.service';
import { CoverageModule } from './coverage.module';
import { GapDetectorService } from './gap-detector.service';
import { GapRecoveryService } from './gap-recovery.service';
import { MarketDataUpdateService } from './market-data-update.service';
import { GapRepository } from './gap.repository';
import { GapsService } from './gaps.service';
import { OhlcBackfillService } from './ohlc-backfill.service';
import { RecordedRunsService } from './recorded-runs.service';
import { GapRetryPolicy } from './gap-retry.policy';
import { SeriesLockRepository } from './series-lock.repository';
import { SeriesSelectorService } from './series-selector.service';
import { SeriesService } from './series.service';
import { SuspectService } from './suspect.service';
import { TradesBackfillService } from './trades-backfill.service';
import { TradesEstimatorService } from './trades-estimator.service';

@Module({
  imports: [TypeOrmModule.forFeature([GapRecord]), AssetsModule, CandlesModule, CoverageModule, KrakenModule, JobRunsModule],
  providers: [
    GapRepository,
    SeriesLockRepository,
    GapDetectorService,
    OhlcBackfillService,
    TradesBackfillService,
    BackfillService,
    GapsService,
    GapRecoveryService,
    MarketDataUpdateService,
    RecordedRunsService,
    GapRetryPolicy,
    SuspectService,
    SeriesService,
    SeriesSelectorService,
    TradesEstimatorService,
  ],
  exports: [
    GapRepository,
    GapDetectorService,
    BackfillService,
    GapsService,
    OhlcBackfillService,
    GapRecoveryService,
    MarketDataUpdateService,
    RecordedRunsService,
    SuspectService,
    SeriesService,
    SeriesLockRepository,
    SeriesSelectorService,
  ],
})
export class GapsModule {}
