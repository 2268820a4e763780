import { resolve } from 'node:path';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { createTemplateDatabase, urlWithDatabase } from './helpers/test-database';

const state = globalThis as { __candlekeepEmbedded?: EmbeddedPostgres; __candlekeepDatabaseReady?: Promise<void> };

/**
 * Global setup of the `int` and `e2e` projects: provides TEST_DATABASE_URL to
 * every test worker (the one given, or an embedded PostgreSQL under
 * .candlekeep/test, stopped by global-teardown) and the migrated template each
 * test file clones. Jest runs each project's global setup in this one process:
 * the second call reuses the first one's work.
 */
export default function globalSetup(): Promise<void> {
  state.__candlekeepDatabaseReady ??= (async () => {
    if (!process.env.TEST_DATABASE_URL) {
      const embedded = new EmbeddedPostgres(resolve(__dirname, '..', '.candlekeep', 'test'), (m) => {
        if (process.env.DEBUG_EMBEDDED) process.stderr.write(`[embedded-postgres] ${m}\n`);
      });
      const db = await embedded.acquire();
      process.env.TEST_DATABASE_URL = urlWithDatabase(db.url, 'postgres');
      state.__candlekeepEmbedded = embedded;
    }
    await createTemplateDatabase();
  })();
  return state.__candlekeepDatabaseReady;
}
