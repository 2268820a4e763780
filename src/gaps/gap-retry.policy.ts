import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { GapRecord } from '../entities/gap-record.entity';

/**
 * When a FAILED gap may be tried again: GAP_RETRY_BASE_MINUTES after its first
 * failed attempt, doubling with each further attempt, at most
 * GAP_RETRY_MAX_MINUTES. Stored on the record (next_attempt_at), so that no
 * process — a replica, the next scheduled run — retries it earlier;
 * `backfill --retry-failed` does.
 */
@Injectable()
export class GapRetryPolicy {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The earliest retry of `gap` failing now (after `gap.attempts` attempts); null when retries need not wait. */
  retryAt(gap: GapRecord): Date | null {
    const base = this.config.gaps.retryBaseMinutes;
    if (base === 0) return null;
    const exponent = Math.min(Math.max(gap.attempts - 1, 0), 30);
    const minutes = Math.min(base * 2 ** exponent, this.config.gaps.retryMaxMinutes);
    return new Date(this.clock.now().getTime() + minutes * 60_000);
  }

  /** Whether a gap may be worked on now: anything but a FAILED gap still waiting for its retry time. */
  isDue(gap: GapRecord, force = false): boolean {
    return (
      force ||
      gap.status !== 'FAILED' ||
      gap.nextAttemptAt === null ||
      gap.nextAttemptAt.getTime() <= this.clock.now().getTime()
    );
  }
}
