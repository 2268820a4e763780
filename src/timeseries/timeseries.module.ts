import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { CoverageModule } from '../coverage/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { BucketPageCache } from './bucket-page-cache';
import { TimeseriesService } from './timeseries.service';

/** Aggregated candles that say what they prove, compare, latest (the HTTP API and `series SYMBOL`, `compare`, `latest`). */
@Module({
  imports: [AssetsModule, CandlesModule, CoverageModule, GapsModule],
  providers: [TimeseriesService, BucketPageCache],
  exports: [TimeseriesService],
})
export class TimeseriesModule {}
