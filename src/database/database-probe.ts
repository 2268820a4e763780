import { Client } from 'pg';
import { DatabaseUnreachableError } from './database.errors';

/** A URL as it may be printed: the password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** What went wrong connecting, in words. */
function cause(e: unknown): string {
  const err = e as { code?: string; message?: string };
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is PostgreSQL running there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case '3D000':
      return `unknown database: ${err.message ?? ''}`;
    case '28P01':
    case '28000':
      return `authentication failed: ${err.message ?? ''}`;
    default:
      return /timeout/i.test(err.message ?? '') ? 'no answer within 2 s' : (err.message ?? String(e));
  }
}

/**
 * Connects once to the state database before anything else does, so that a
 * wrong URL is one line within about 2 s naming the URL (password hidden) and
 * the cause — instead of TypeORM's minute of retries with stack traces.
 * `retries` (DATABASE_CONNECT_RETRIES) more attempts are made with
 * exponential backoff (1 s, 2 s, 4 s … capped at 30 s), for a server that
 * starts before its database.
 */
export async function probeDatabase(
  url: string,
  retries: number,
  log: (m: string) => void = () => undefined,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (e) {
      await client.end().catch(() => undefined);
      const why = cause(e);
      if (attempt >= retries)
        throw new DatabaseUnreachableError(`cannot connect to ${redactUrl(url)}: ${why}`, { cause: e });
      const delay = Math.min(30_000, 1000 * 2 ** attempt);
      log(`cannot connect to ${redactUrl(url)} (${why}); retrying in ${delay} ms (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * The entry points' check before Nest starts: DATABASE_URL, when set, must answer (the embedded one is started later).
 */
export async function preflightDatabase(
  config: { database: { url?: string; connectRetries: number } },
  log?: (m: string) => void,
): Promise<void> {
  if (config.database.url !== undefined) await probeDatabase(config.database.url, config.database.connectRetries, log);
}
