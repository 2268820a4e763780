import { Injectable, Logger } from '@nestjs/common';
import { GapRepository } from './gap.repository';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';

/**
 * Gaps left FILLING by a process that died: a FILLING gap whose series claim
 * nobody holds is stuck (a live filler holds the claim for the whole fill),
 * and goes back to DETECTED.
 */
@Injectable()
export class GapRecoveryService {
  private readonly logger = new Logger(GapRecoveryService.name);

  constructor(
    private readonly gaps: GapRepository,
    private readonly locks: AdvisoryLockRepository,
  ) {}

  async releaseStuckFilling(): Promise<number> {
    const filling = await this.gaps.findByStatus('FILLING');
    let released = 0;
    for (const gap of filling) {
      const claimed = await this.locks.tryWithLock(LockKeys.series(gap), async () => {
        const [fresh] = await this.gaps.findByIds([gap.id]);
        if (fresh?.status !== 'FILLING') return false;
        fresh.releaseStuck();
        await this.gaps.save(fresh);
        return true;
      });
      if (claimed?.value) released++;
    }
    if (released) this.logger.warn(`released ${released} gap(s) stuck in FILLING back to DETECTED`);
    return released;
  }
}
