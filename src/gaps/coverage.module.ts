import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataCoverageRange } from '../entities/data-coverage-range.entity';
import { Series } from '../entities/series.entity';
import { CoverageRepository } from './coverage.repository';
import { SeriesRepository } from './series.repository';

@Module({
  imports: [TypeOrmModule.forFeature([DataCoverageRange, Series])],
  providers: [CoverageRepository, SeriesRepository],
  exports: [CoverageRepository, SeriesRepository],
})
export class CoverageModule {}
