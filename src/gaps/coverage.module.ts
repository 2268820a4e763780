import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataCoverageRange } from '../entities/data-coverage-range.entity';
import { CoverageRepository } from './coverage.repository';

@Module({
  imports: [TypeOrmModule.forFeature([DataCoverageRange])],
  providers: [CoverageRepository],
  exports: [CoverageRepository],
})
export class CoverageModule {}
