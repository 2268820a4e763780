import { Injectable, Logger } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { CompletenessReportService } from '../reports/completeness-report.service';
import { renderHtml } from '../reports/report-renderers';
import { ScheduledTask } from './scheduled-task';

@Injectable()
export class ReportTask implements ScheduledTask {
  readonly name = 'report-data-completeness';
  readonly kind = 'report';
  readonly description = 'write the completeness report (JSON and HTML) to REPORTS_DIR and log its summary';
  private readonly logger = new Logger(ReportTask.name);

  constructor(
    private readonly reports: CompletenessReportService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  cron(): string {
    return this.config.schedules.report;
  }

  async run(): Promise<{ json: string; html: string; summary: object }> {
    const report = await this.reports.build({ timelines: true });
    const dir = resolve(this.config.reports.dir);
    await mkdir(dir, { recursive: true });
    const stamp = this.clock.now().toISOString().replace(/[:.]/g, '-');
    const json = join(dir, `completeness-${stamp}.json`);
    const html = join(dir, `completeness-${stamp}.html`);
    await writeFile(json, JSON.stringify(report, null, 2));
    await writeFile(html, renderHtml(report));
    const verdicts = report.tiers
      .map((t) => `${t.tier} ${t.complete ? 'complete' : 'incomplete'} ${t.completeness_pct}%`)
      .join(', ');
    this.logger.log(
      `completeness: ${report.summary.complete_series}/${report.summary.series} series complete, ` +
        `${report.summary.open_gaps} open gaps, ${report.summary.stale_series} stale; ${verdicts}; wrote ${html}`,
    );
    return { json, html, summary: report.summary };
  }
}
