/**
 * The environment of a candlekeep process talking to the Kraken test server:
 * the database, the server's URL, a pinned now, and a fast client (no real
 * rate limit, short retry delays, two retries).
 */
export function krakenTestEnv(
  databaseUrl: string,
  krakenUrl: string,
  now: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KRAKEN_API_URL: krakenUrl,
    CANDLEKEEP_NOW: now,
    KRAKEN_RPS: '1000',
    KRAKEN_BURST: '100',
    KRAKEN_BACKOFF_BASE_MS: '5',
    KRAKEN_BACKOFF_MAX_MS: '20',
    KRAKEN_MAX_RETRIES: '2',
    ...extra,
  };
}
