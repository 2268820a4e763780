import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseDate, parseIntervals, parseSymbols, parseTier, SYMBOLS_FLAG_HELP } from '../common/option-parsers';
import { UsageError } from '../common/errors';
import { Tier } from '../common/enums';
import { CompletenessReportService } from './completeness-report.service';
import { REPORT_FORMATS, ReportFormat, renderReport } from './report-renderers';

interface ReportCommandOptions extends JsonOption {
  tier?: Tier;
  intervals?: number[];
  symbols?: string[];
  since?: Date;
  format?: ReportFormat;
  out?: string;
}

@Command({ name: 'report', description: 'completeness report per tier and interval, and per series' })
export class ReportCommand extends CandlekeepCommand<ReportCommandOptions> {
  constructor(private readonly reports: CompletenessReportService) {
    super();
  }

  protected async execute(_params: string[], o: ReportCommandOptions): Promise<CommandOutcome> {
    const format = o.format ?? (o.json ? 'json' : 'table');
    const report = await this.reports.build({
      tier: o.tier,
      intervals: o.intervals,
      symbols: o.symbols,
      since: o.since,
      timelines: format === 'html',
    });
    if (o.out) {
      await writeFile(o.out, renderReport(report, format)).catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`--out ${o.out}: cannot write it (${e.code ?? e.message})`);
      });
      return this.ok(
        { out: o.out, format, summary: report.summary, tiers: report.tiers },
        `wrote ${format} report to ${o.out}`,
      );
    }
    // --json prints the report object itself; other formats print their rendering.
    return this.ok(
      report,
      format === 'json' ? undefined : renderReport(report, format).replace(/\n$/, ''), // print() ends the line
    );
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--symbols <list>', description: `only these assets: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--intervals <list>', description: 'intervals in minutes (default: every series held)' })
  parseIntervals(v: string): number[] {
    return parseIntervals(v);
  }

  @Option({ flags: '--since <date>', description: 'start the expected window no earlier than this date (ISO-8601)' })
  parseSince(v: string): Date {
    return parseDate(v, '--since');
  }

  @Option({ flags: '--format <format>', description: `output format: ${REPORT_FORMATS.join(', ')} (default table)` })
  parseFormat(v: string): ReportFormat {
    if (!(REPORT_FORMATS as readonly string[]).includes(v))
      throw new UsageError(`--format: ${JSON.stringify(v)} is not one of ${REPORT_FORMATS.join(', ')}`);
    return v as ReportFormat;
  }

  @Option({ flags: '--out <file>', description: 'write the rendering to a file instead of stdout' })
  parseOut(v: string): string {
    return v;
  }
}
