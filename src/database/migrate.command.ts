import { Command } from 'nest-commander';
import { CandlekeepCommand, CommandOutcome } from '../cli/candlekeep-command';
import { MigrationService } from './migration.service';
import { DatabaseConnection } from './database-connection';

@Command({ name: 'migrate', description: 'apply pending database migrations' })
export class MigrateCommand extends CandlekeepCommand {
  constructor(
    private readonly migrations: MigrationService,
    private readonly connection: DatabaseConnection,
  ) {
    super();
  }

  protected async execute(): Promise<CommandOutcome> {
    const { applied, tables } = await this.migrations.migrate();
    const result = { applied, tables, database: { embedded: this.connection.isEmbedded, reachable: true } };
    const text = applied.length
      ? `applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}`
      : 'database is up to date (no pending migrations)';
    return this.ok(result, text);
  }
}
