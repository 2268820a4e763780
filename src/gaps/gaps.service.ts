import { Injectable } from '@nestjs/common';
import { GapStatus, RESOLVED_GAP_STATUSES, GAP_STATUSES, Tier } from '../entities/enums';
import { GapRepository } from './gap.repository';

export interface GapView {
  id: number;
  symbol: string;
  interval: number;
  start_ts: string;
  end_ts: string;
  missing_intervals: number;
  fillability: string;
  status: GapStatus;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  candles_filled: number;
  archive_hint: string | null;
  detected_at: string;
  resolved_at: string | null;
}

export const OPEN_GAP_STATUSES: readonly GapStatus[] = GAP_STATUSES.filter((s) => !RESOLVED_GAP_STATUSES.includes(s));

@Injectable()
export class GapsService {
  constructor(private readonly gaps: GapRepository) {}

  async list(filter: { tier?: Tier; intervals?: number[]; statuses: readonly GapStatus[] }): Promise<GapView[]> {
    const rows = await this.gaps.list(filter);
    return rows.map(({ gap, symbol }) => ({
      id: gap.id,
      symbol,
      interval: gap.intervalMinutes,
      start_ts: gap.startTs.toISOString(),
      end_ts: gap.endTs.toISOString(),
      missing_intervals: gap.missingIntervals,
      fillability: gap.fillability,
      status: gap.status,
      reason: gap.reason,
      attempts: gap.attempts,
      last_error: gap.lastError,
      candles_filled: gap.candlesFilled,
      archive_hint: gap.archiveHint,
      detected_at: gap.detectedAt.toISOString(),
      resolved_at: gap.resolvedAt?.toISOString() ?? null,
    }));
  }
}
