import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CandleStore, CandleStoreHealth } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { DatabaseConnection } from '../database/database-connection';
import { MigrationService } from '../maintenance/migration.service';

export interface HealthReport {
  status: 'ok' | 'degraded';
  time: string;
  database: { reachable: boolean; embedded: boolean; pending_migrations?: boolean; error?: string };
  candle_store: CandleStoreHealth;
}

@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: DatabaseConnection,
    private readonly migrations: MigrationService,
    private readonly clock: Clock,
    private readonly candles: CandleStore,
  ) {}

  async check(): Promise<HealthReport> {
    const database: HealthReport['database'] = { reachable: false, embedded: this.connection.isEmbedded };
    try {
      await this.dataSource.query('SELECT 1');
      database.reachable = true;
      database.pending_migrations = await this.migrations.pending();
    } catch (e) {
      database.error = (e as Error).message;
    }
    const candleStore: CandleStoreHealth = await this.candles.health();
    const status = database.reachable && candleStore.reachable ? 'ok' : 'degraded';
    return { status, time: this.clock.now().toISOString(), database, candle_store: candleStore };
  }
}
