import type * as QuestDbClient from '@questdb/nodejs-client';
import type { SenderOptions } from '@questdb/nodejs-client';

/**
 * Parses QUESTDB_ILP with the client's own parser (no network; the package is loaded on first use, as
 * candles/questdb/questdb-client.ts explains). Only HTTP(S)
 * is accepted: an ILP/HTTP request is acknowledged by the server, TCP is not,
 * and candlekeep never reports rows ingested that QuestDB did not acknowledge.
 */
export function parseIlpConfig(config: string): SenderOptions {
  const options = new (require('@questdb/nodejs-client') as typeof QuestDbClient).SenderOptions(config);
  if (options.protocol !== 'http' && options.protocol !== 'https') {
    throw new Error(`protocol ${options.protocol}:: gives no write acknowledgement; use http:: or https::`);
  }
  return options;
}

/** Where an ILP config sends: `http://host:port` (port 9000 unless given), for messages. */
export function ilpEndpoint(options: SenderOptions): string {
  return `${options.protocol}://${options.host ?? ''}:${options.port ?? 9000}`;
}

/** Why an ILP config string is unusable, or undefined when it is fine. */
export function ilpConfigProblem(config: string): string | undefined {
  try {
    parseIlpConfig(config);
    return undefined;
  } catch (e) {
    return `must be an ILP/HTTP config string such as http::addr=127.0.0.1:9000; (${(e as Error).message})`;
  }
}

/** The QuestDB candle table's default name (QUESTDB_TABLE names another, e.g. one per deployment or test run). */
export const ASSETPRICE = 'assetprice';

/** A table name QuestDB takes unquoted and candlekeep may put in SQL text and ILP: letters, digits, underscore. */
export const TABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,126}$/;
