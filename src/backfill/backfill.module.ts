import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { CoverageModule } from '../coverage/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { JobRunsModule } from '../jobs/job-runs.module';
import { KrakenModule } from '../sources/kraken/kraken.module';
import { BackfillService } from './backfill.service';
import { MarketDataUpdateService } from './market-data-update.service';
import { OhlcBackfillService } from './ohlc-backfill.service';
import { RecordedRunsService } from './recorded-runs.service';
import { TradesBackfillService } from './trades-backfill.service';
import { TradesEstimatorService } from './trades-estimator.service';

/** Filling gaps from the sources: the OHLC window, trades rebuilt into candles, update-market-data. */
@Module({
  imports: [AssetsModule, CandlesModule, CoverageModule, GapsModule, KrakenModule, JobRunsModule],
  providers: [
    OhlcBackfillService,
    TradesBackfillService,
    TradesEstimatorService,
    BackfillService,
    MarketDataUpdateService,
    RecordedRunsService,
  ],
  exports: [BackfillService, OhlcBackfillService, MarketDataUpdateService, RecordedRunsService],
})
export class BackfillModule {}
