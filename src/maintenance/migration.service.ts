import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CandleStore, CandleStoreHealth } from '../candles/candle-store';
import { AdvisoryLockRepository } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';

export interface MigrationResult {
  applied: string[];
  tables: string[];
}

@Injectable()
export class MigrationService {
  private readonly logger = new Logger(MigrationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly candles: CandleStore,
    private readonly locks: AdvisoryLockRepository,
  ) {}

  /** Applies pending migrations in one transaction each; safe to call from several processes at once. */
  async migrate(): Promise<MigrationResult> {
    // An advisory lock serialises concurrent starters (replicas booting together); they wait as long as it takes.
    const locked = await this.locks.withLock(
      LockKeys.migrations(),
      async () => {
        const applied = await this.dataSource.runMigrations({ transaction: 'each' });
        for (const m of applied) this.logger.log(`applied migration ${m.name}`);
        const rows = await this.dataSource.query<Array<{ table_name: string }>>(
          'SELECT table_name FROM information_schema.tables ' +
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        );
        return { applied: applied.map((m) => m.name), tables: rows.map((r) => r.table_name) };
      },
      { waitMs: Number.POSITIVE_INFINITY },
    );
    // Without a bound on the wait, the lock is always had.
    return locked!.value;
  }

  async pending(): Promise<boolean> {
    return this.dataSource.showMigrations();
  }

  /**
   * Creates the candle store's tables if missing (QuestDB: `assetprice`) and
   * reports the store and whether it is reachable; never throws. With the
   * postgres store, candles are part of the state schema migrated above.
   */
  async migrateCandleStore(): Promise<CandleStoreHealth> {
    try {
      await this.candles.ensureSchema();
      return await this.candles.health();
    } catch (e) {
      this.logger.error(`candle store (${this.candles.kind}): ${(e as Error).message}`);
      return { store: this.candles.kind, reachable: false, error: (e as Error).message };
    }
  }
}
