import { Command, Option } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome, JsonOption } from '../cli/candlekeep-command';
import {
  parseGapKind,
  parseGapStatuses,
  parseIntervals,
  parseSymbols,
  parseTier,
  SYMBOLS_FLAG_HELP,
} from '../common/option-parsers';
import { renderTable } from '../common/table';
import { UsageError } from '../common/errors';
import { GAP_KINDS, GAP_STATUSES, GapKind, GapStatus, Tier } from '../common/enums';
import { GapsService, GapView, OPEN_GAP_STATUSES } from './gaps.service';

interface GapsOptions extends JsonOption {
  tier?: Tier;
  intervals?: number[];
  symbols?: string[];
  status?: readonly GapStatus[];
  kind?: GapKind;
  reason?: string;
}

const ACTIONS = ['list', 'ignore', 'reopen'] as const;

const table = (gaps: readonly GapView[]) =>
  gaps.length
    ? renderTable(
        [
          'id',
          'symbol',
          'interval',
          'kind',
          'start',
          'end',
          'missing',
          'fillability',
          'status',
          'hint / error / reason',
        ],
        gaps.map((g) => [
          g.id,
          g.symbol,
          g.interval,
          g.kind,
          g.start_ts,
          g.end_ts,
          g.missing_intervals,
          g.fillability,
          g.status,
          g.archive_hint ?? g.last_error ?? g.reason,
        ]),
      )
    : 'no gap records match';

@Command({
  name: 'gaps',
  arguments: '[action] [ids...]',
  description: 'gap records: list (default: open ones) | ignore ID... --reason TEXT | reopen ID...',
})
export class GapsCommand extends CandlekeepCommand<GapsOptions> {
  constructor(private readonly gaps: GapsService) {
    super();
  }

  protected async execute(params: string[], options: GapsOptions): Promise<CommandOutcome> {
    const [action = 'list', ...rest] = params;
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`gaps: unknown action ${JSON.stringify(action)}; use ${ACTIONS.join(', ')}`);
    if (action === 'list') {
      if (rest.length) throw new UsageError(`gaps list takes no arguments, got ${rest.join(' ')}`);
      const gaps = await this.gaps.list({
        tier: options.tier,
        intervals: options.intervals,
        symbols: options.symbols,
        statuses: options.status ?? OPEN_GAP_STATUSES,
        kinds: options.kind ? [options.kind] : undefined,
      });
      return this.ok({ total: gaps.length, gaps }, table(gaps));
    }
    if (rest.length === 0) throw new UsageError(`gaps ${action}: at least one gap ID is required`);
    const ids = rest.map((r) => {
      if (!/^\d{1,9}$/.test(r)) throw new UsageError(`gaps ${action}: ${JSON.stringify(r)} is not a gap ID`);
      return Number(r);
    });
    if (action === 'ignore') {
      if (!options.reason?.trim())
        throw new UsageError('gaps ignore: --reason TEXT is required (it is shown wherever the record is)');
      const gaps = await this.gaps.ignore(ids, options.reason.trim());
      return this.ok({ total: gaps.length, gaps }, table(gaps));
    }
    if (options.reason !== undefined) throw new UsageError('gaps reopen takes no --reason');
    const gaps = await this.gaps.reopen(ids);
    return this.ok({ total: gaps.length, gaps }, table(gaps));
  }

  @Option({ flags: '--tier <tier>', description: 'list: only assets of this tier (TIER1..TIER4)' })
  parseTier(v: string): Tier {
    return parseTier(v);
  }

  @Option({ flags: '--symbols <list>', description: `list: only these assets: ${SYMBOLS_FLAG_HELP}` })
  parseSymbols(v: string): string[] {
    return parseSymbols(v);
  }

  @Option({ flags: '--intervals <list>', description: 'list: comma-separated intervals in minutes, e.g. 60,1440' })
  parseIntervals(v: string): number[] {
    return parseIntervals(v);
  }

  @Option({
    flags: '--status <list>',
    description: `list: comma-separated statuses (${GAP_STATUSES.join(', ')}), "open" or "all"`,
  })
  parseStatus(v: string): readonly GapStatus[] {
    return parseGapStatuses(v);
  }

  @Option({
    flags: '--kind <kind>',
    description:
      `list: only ${GAP_KINDS.join(' or ')} records ` + `(suspect: covered spans whose "no trades" is contradicted)`,
  })
  parseKind(v: string): GapKind {
    return parseGapKind(v);
  }

  @Option({ flags: '--reason <text>', description: 'ignore: why the records are not to be filled (required)' })
  parseReason(v: string): string {
    return v;
  }
}
