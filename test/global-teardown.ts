import type { EmbeddedPostgres } from '../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __candlekeepEmbedded?: EmbeddedPostgres }).__candlekeepEmbedded;
  if (embedded) await embedded.release();
}
