import { Injectable, Logger } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { Clock } from '../common/clock';
import { GapKind, GapStatus, OPEN_GAP_STATUSES, Tier } from '../common/enums';
import { GapRecord } from '../entities/gap-record.entity';
import { StateTransitionError } from '../entities/state-transition.error';
import { GapNotFoundError, GapStateError } from './gaps.errors';
import { GapRepository, GapWithSymbol } from './gap.repository';

export interface GapView {
  id: number;
  symbol: string;
  interval: number;
  start_ts: string;
  end_ts: string;
  missing_intervals: number;
  fillability: string;
  status: GapStatus;
  kind: GapKind;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  candles_filled: number;
  archive_hint: string | null;
  detected_at: string;
  resolved_at: string | null;
  /** A FAILED record is not retried before this time (backfill --retry-failed forces it). */
  next_attempt_at: string | null;
}

export { OPEN_GAP_STATUSES };

@Injectable()
export class GapsService {
  private readonly logger = new Logger(GapsService.name);

  constructor(
    private readonly gaps: GapRepository,
    private readonly catalog: AssetCatalogService,
    private readonly clock: Clock,
  ) {}

  async list(filter: {
    tier?: Tier;
    intervals?: number[];
    symbols?: readonly string[];
    statuses: readonly GapStatus[];
    kinds?: readonly GapKind[];
  }): Promise<GapView[]> {
    const { symbols, ...rest } = filter;
    const assetIds = symbols?.length ? (await this.catalog.resolveAll(symbols)).map((a) => a.id) : undefined;
    return (await this.gaps.list({ ...rest, assetIds })).map(view);
  }

  /**
   * Marks the records IGNORED with the reason: they keep standing for their spans, counted apart and out of
   * completeness.
   */
  ignore(ids: readonly number[], reason: string): Promise<GapView[]> {
    return this.change(ids, 'ignore', (g) => g.ignore(this.clock.now(), reason));
  }

  /** Puts IGNORED, UNFILLABLE or FAILED records (and verified suspects) back to work. */
  reopen(ids: readonly number[]): Promise<GapView[]> {
    return this.change(ids, 'reopen', (g) => g.reopen());
  }

  /** Applies one transition to every record, all or none (one transaction). */
  private async change(ids: readonly number[], action: string, transition: (g: GapRecord) => void): Promise<GapView[]> {
    const found = await this.gaps.findByIds(ids);
    const missing = ids.filter((id) => !found.some((g) => g.id === id));
    if (missing.length) throw new GapNotFoundError(`no gap record ${missing.join(', ')}`);
    for (const g of found) {
      try {
        transition(g);
      } catch (e) {
        if (e instanceof StateTransitionError)
          throw new GapStateError(`cannot ${action} gap ${g.id}: ${e.message}`, { cause: e });
        throw e;
      }
    }
    await this.gaps.saveAllInTransaction(found);
    this.logger.log(`${action}: gap record(s) ${found.map((g) => g.id).join(', ')}`);
    const listed = await this.gaps.list({ ids });
    return listed.map(view);
  }
}

function view({ gap, symbol }: GapWithSymbol): GapView {
  return {
    id: gap.id,
    symbol,
    interval: gap.intervalMinutes,
    start_ts: gap.startTs.toISOString(),
    end_ts: gap.endTs.toISOString(),
    missing_intervals: gap.missingIntervals,
    fillability: gap.fillability,
    status: gap.status,
    kind: gap.kind,
    reason: gap.reason,
    attempts: gap.attempts,
    last_error: gap.lastError,
    candles_filled: gap.candlesFilled,
    archive_hint: gap.archiveHint,
    detected_at: gap.detectedAt.toISOString(),
    resolved_at: gap.resolvedAt?.toISOString() ?? null,
    next_attempt_at: gap.nextAttemptAt?.toISOString() ?? null,
  };
}
