import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CoverageModule } from '../gaps/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { CleanupService } from './cleanup.service';
import { CompletenessReportService } from './completeness-report.service';
import { ReportRepository } from './report.repository';
import { SeriesOverviewService } from './series-overview.service';
import { StalenessService } from './staleness.service';

@Module({
  imports: [AssetsModule, CoverageModule, GapsModule],
  providers: [ReportRepository, CompletenessReportService, StalenessService, CleanupService, SeriesOverviewService],
  exports: [CompletenessReportService, StalenessService, CleanupService, SeriesOverviewService],
})
export class ReportsModule {}
