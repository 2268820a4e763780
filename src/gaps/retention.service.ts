import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { GapRepository } from './gap.repository';

@Injectable()
export class CleanupService {
  private readonly logger = new Logger(CleanupService.name);

  constructor(
    private readonly gaps: GapRepository,
    private readonly clock: Clock,
  ) {}

  /** Deletes resolved gap records (FILLED, VERIFIED_EMPTY, IGNORED) resolved more than `days` days ago. */
  async cleanup(days: number): Promise<{ deleted: number; before: string }> {
    const before = new Date(this.clock.now().getTime() - days * 86_400_000);
    const deleted = await this.gaps.deleteResolvedBefore(before);
    this.logger.log(`deleted ${deleted} resolved gap record(s) resolved before ${before.toISOString()}`);
    return { deleted, before: before.toISOString() };
  }
}
