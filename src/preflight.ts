import type * as QuestDbCredentials from './candles/questdb/questdb-credentials';
import { errorBody, exitCodeFor } from './common/error-map';
import { AppConfig, loadConfig } from './config/app-config';
import { preflightDatabase } from './database/database-probe';

/** An error before or around the verb: one line on stderr and, with --json, the one JSON object on stdout. */
export function reportError(args: readonly string[], e: unknown): number {
  const body = errorBody(e);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ error: body })}\n`);
  process.stderr.write(`candlekeep: ${body.message}\n`);
  return exitCodeFor(e);
}

/**
 * What every verb needs before Nest starts: a valid configuration and, when
 * DATABASE_URL is set, a database that answers (one line within ~2 s instead
 * of TypeORM's retries); with CANDLE_STORE=questdb, credentials QuestDB does
 * not refuse. Resolves to the configuration (validated here, once per start:
 * the entry point hands this instance to ConfigModule), or to the exit code of
 * the error it reported.
 */
export async function preflight(args: readonly string[]): Promise<AppConfig | number> {
  try {
    const config = loadConfig(process.env);
    await preflightDatabase(config, (m) => process.stderr.write(`candlekeep: ${m}\n`));
    if (config.candleStore === 'questdb') {
      // Loaded for the questdb store only: the postgres store's start-up needs none of it.
      const { checkQuestDbCredentials } = require('./candles/questdb/questdb-credentials') as typeof QuestDbCredentials;
      await checkQuestDbCredentials(config);
    }
    return config;
  } catch (e) {
    return reportError(args, e);
  }
}
