import { Command } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome } from '../cli/candlekeep-command';
import { EXIT_INCOMPLETE, EXIT_OK } from '../common/error-map';
import { MigrationService } from './migration.service';
import { DatabaseConnection } from '../database/database-connection';

@Command({ name: 'migrate', description: 'apply pending database migrations and create the candle store tables' })
export class MigrateCommand extends CandlekeepCommand {
  protected override readonly requiresSchema = false;

  constructor(
    private readonly migrations: MigrationService,
    private readonly connection: DatabaseConnection,
  ) {
    super();
  }

  protected async execute(): Promise<CommandOutcome> {
    const { applied, tables } = await this.migrations.migrate();
    const candleStore = await this.migrations.migrateCandleStore();
    const result = {
      applied,
      tables,
      database: { embedded: this.connection.isEmbedded, reachable: true },
      candle_store: candleStore,
    };
    const text = [
      applied.length
        ? `applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}`
        : 'database is up to date (no pending migrations)',
      `candle store ${candleStore.store}: ${candleStore.reachable ? 'ready' : `NOT ready: ${candleStore.error}`}`,
    ].join('\n');
    return { exitCode: candleStore.reachable ? EXIT_OK : EXIT_INCOMPLETE, result, text };
  }
}
