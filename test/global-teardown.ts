import type { EmbeddedPostgres } from '../src/database/embedded-postgres';

const state = globalThis as { __candlekeepEmbedded?: EmbeddedPostgres };

/** Stops the embedded PostgreSQL of global-setup (once, however many projects ran). */
export default async function globalTeardown(): Promise<void> {
  const embedded = state.__candlekeepEmbedded;
  state.__candlekeepEmbedded = undefined;
  if (embedded) await embedded.release();
}
