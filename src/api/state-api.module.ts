import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { GapsModule } from '../gaps/gaps.module';
import { ReportsModule } from '../reports/reports.module';
import { AssetsController } from './assets.controller';
import { CoverageController } from './coverage.controller';
import { GapsController } from './gaps.controller';
import { ReportController } from './report.controller';
import { SeriesController } from './series.controller';

/** What is held and how complete it is: GET /series, /series/:symbol/coverage, /gaps, /report, /assets. */
@Module({
  imports: [AssetsModule, GapsModule, ReportsModule],
  controllers: [SeriesController, CoverageController, GapsController, ReportController, AssetsController],
})
export class StateApiModule {}
