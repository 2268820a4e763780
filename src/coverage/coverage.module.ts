import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssetsModule } from '../assets/assets.module';
import { CandlesModule } from '../candles/candles.module';
import { DataCoverageRange } from '../entities/data-coverage-range.entity';
import { Series } from '../entities/series.entity';
import { CoverageRepository } from './coverage.repository';
import { SeriesRepository } from './series.repository';
import { SeriesService } from './series.service';

/** What each series holds: its coverage ranges, its expected window, the series listing and drop. */
@Module({
  imports: [TypeOrmModule.forFeature([DataCoverageRange, Series]), AssetsModule, CandlesModule],
  providers: [CoverageRepository, SeriesRepository, SeriesService],
  exports: [CoverageRepository, SeriesRepository, SeriesService],
})
export class CoverageModule {}
