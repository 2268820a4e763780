import type * as QuestDbClient from '@questdb/nodejs-client';

/**
 * The QuestDB client package, loaded on first use: it pulls in undici (about
 * 110 modules, ~0.1 s of every command's start-up) and only a QuestDB
 * candle store or a QUESTDB_ILP setting needs it.
 */
export function questdbClient(): typeof QuestDbClient {
  return require('@questdb/nodejs-client') as typeof QuestDbClient;
}
