import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CoverageModule } from '../coverage/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { CompletenessReportService } from './completeness-report.service';
import { SeriesCoverageService } from './series-coverage.service';
import { SeriesOverviewService } from './series-overview.service';
import { StalenessService } from './staleness.service';

/** What is held and how complete it is: the completeness report, staleness, the series overview. */
@Module({
  imports: [AssetsModule, CoverageModule, GapsModule],
  providers: [CompletenessReportService, StalenessService, SeriesOverviewService, SeriesCoverageService],
  exports: [CompletenessReportService, StalenessService, SeriesOverviewService, SeriesCoverageService],
})
export class ReportsModule {}
