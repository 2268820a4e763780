import { Module } from '@nestjs/common';
import { AssetsModule } from '../assets/assets.module';
import { CoverageModule } from '../gaps/coverage.module';
import { GapsModule } from '../gaps/gaps.module';
import { CleanupService } from './cleanup.service';
import { CompletenessReportService } from './completeness-report.service';
import { ReportRepository } from './report.repository';
import { StalenessService } from './staleness.service';

@Module({
  imports: [AssetsModule, CoverageModule, GapsModule],
  providers: [ReportRepository, CompletenessReportService, StalenessService, CleanupService],
  exports: [CompletenessReportService, StalenessService, CleanupService],
})
export class ReportsModule {}
