import { Module } from '@nestjs/common';
import { TimeseriesModule } from '../timeseries/timeseries.module';
import { TimeseriesController } from './timeseries.controller';

/** GET /timeseries/…: market data, ohlcv, compare, latest, health. */
@Module({ imports: [TimeseriesModule], controllers: [TimeseriesController] })
export class TimeseriesApiModule {}
