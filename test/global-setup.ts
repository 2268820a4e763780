import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { createTemplateDatabase, urlWithDatabase } from './helpers/test-database';

/**
 * Provides TEST_DATABASE_URL to every test worker: the one given, or an
 * embedded PostgreSQL under .candlekeep/test (stopped by global-teardown).
 * Builds dist/ when stale, then the migrated template that each test file clones.
 */
export default async function globalSetup(): Promise<void> {
  // e2e tests spawn the built CLI and server, as users run them.
  execFileSync(process.execPath, [resolve(__dirname, '..', 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
  if (!process.env.TEST_DATABASE_URL) {
    const embedded = new EmbeddedPostgres(resolve(__dirname, '..', '.candlekeep', 'test'), (m) => {
      if (process.env.DEBUG_EMBEDDED) process.stderr.write(`[embedded-postgres] ${m}\n`);
    });
    const db = await embedded.acquire();
    process.env.TEST_DATABASE_URL = urlWithDatabase(db.url, 'postgres');
    (globalThis as { __candlekeepEmbedded?: EmbeddedPostgres }).__candlekeepEmbedded = embedded;
  }
  await createTemplateDatabase();
}
