import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import { parseIntervals, parseTier } from '../cli/option-parsers';
import { renderTable } from '../cli/table';
import { UsageError } from '../common/errors';
import { GAP_STATUSES, GapStatus, Tier } from '../entities/enums';
import { GapsService, OPEN_GAP_STATUSES } from './gaps.service';

interface GapsOptions extends JsonOption {
  tier?: Tier;
  intervals?: number[];
  status?: readonly GapStatus[];
}

@Command({ name: 'gaps', description: 'list gap records (default: open ones)' })
export class GapsCommand extends CandlekeepCommand<GapsOptions> {
  constructor(private readonly gaps: GapsService) {
    super();
  }

  protected async execute(_params: string[], options: GapsOptions): Promise<CommandOutcome> {
    const gaps = await this.gaps.list({ tier: options.tier, intervals: options.intervals, statuses: options.status ?? OPEN_GAP_STATUSES });
    const text = gaps.length
      ? renderTable(
          ['id', 'symbol', 'interval', 'start', 'end', 'missing', 'fillability', 'status', 'hint / error'],
          gaps.map((g) => [g.id, g.symbol, g.interval, g.start_ts, g.end_ts, g.missing_intervals, g.fillability, g.status, g.archive_hint ?? g.last_error ?? g.reason]),
        )
      : 'no gap records match';
    return this.ok({ total: gaps.length, gaps }, text);
  }

  @Option({ flags: '--tier <tier>', description: 'only assets of this tier (TIER1..TIER4)' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--intervals <list>', description: 'comma-separated intervals in minutes, e.g. 60,1440' })
  parseIntervals(v: string): number[] {
    return parseIntervals(v);
  }

  @Option({ flags: '--status <list>', description: `comma-separated statuses (${GAP_STATUSES.join(', ')}), "open" or "all"` })
  parseStatus(v: string): readonly GapStatus[] {
    const out: GapStatus[] = [];
    for (const part of v.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)) {
      if (part === 'ALL') out.push(...GAP_STATUSES);
      else if (part === 'OPEN') out.push(...OPEN_GAP_STATUSES);
      else if ((GAP_STATUSES as readonly string[]).includes(part)) out.push(part as GapStatus);
      else throw new UsageError(`--status: ${JSON.stringify(part)} is not one of ${GAP_STATUSES.join(', ')}, open, all`);
    }
    return [...new Set(out)];
  }
}
