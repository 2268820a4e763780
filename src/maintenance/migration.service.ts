import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CandleStore, CandleStoreHealth } from '../candles/candle-store';

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
  ) {}

  /** Applies pending migrations in one transaction each; safe to call from several processes at once. */
  async migrate(): Promise<MigrationResult> {
    // An advisory lock serialises concurrent starters (replicas booting together).
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtext('candlekeep:migrations'))`);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) this.logger.log(`applied migration ${m.name}`);
      const rows = (await runner.query(
        'SELECT table_name FROM information_schema.tables ' +
          "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
      )) as Array<{ table_name: string }>;
      return { applied: applied.map((m) => m.name), tables: rows.map((r) => r.table_name) };
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('candlekeep:migrations'))`).catch(() => undefined);
      await runner.release();
    }
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
