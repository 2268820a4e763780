import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { SenderOptions } from '@questdb/nodejs-client';
import { Client } from 'pg';
import { redactUrl } from '../../database/database-probe';
import { describeIlpFailure } from './ilp-channel';
import { ilpEndpoint, parseIlpConfig } from '../../config/questdb-settings';
import { questdbClient } from './questdb-client';
import { QuestDbCredentialsError } from './questdb.errors';

/** How long each start-up probe waits for QuestDB; one that does not answer is left to the verb (see below). */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * QuestDB answers a PG-wire login it refuses with "invalid username/password"
 * (SQLSTATE 00000, not PostgreSQL's 28P01).
 */
export function isPgAuthFailure(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | null;
  return (
    err?.code === '28P01' ||
    err?.code === '28000' ||
    /invalid username\/password|password authentication failed/i.test(String(err?.message ?? ''))
  );
}

/** The one line for refused PG-wire credentials: the setting, its URL with the password hidden, QuestDB's words. */
export function pgCredentialsError(url: string, e: unknown): QuestDbCredentialsError {
  return new QuestDbCredentialsError(
    `QUESTDB_PG_URL=${redactUrl(url)}: QuestDB refused the credentials (${(e as Error).message})`,
    { cause: e },
  );
}

/** Which credentials a QUESTDB_ILP string carries, secrets hidden. */
function ilpCredentials(options: SenderOptions): string {
  if (options.token) return 'token ***';
  if (options.username) return `username ${options.username}, password ${options.password ? '***' : '(none)'}`;
  return 'no credentials given';
}

async function pgProblem(url: string): Promise<QuestDbCredentialsError | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    return undefined;
  } catch (e) {
    return isPgAuthFailure(e) ? pgCredentialsError(url, e) : undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * An empty POST /write: QuestDB answers 204 (nothing written) when it takes
 * the credentials and 401 when it does not — GET /settings, which the ILP
 * channel calls first, is open to anyone and tells nothing. One attempt, no
 * retries, a connection of its own.
 */
async function ilpProblem(config: string): Promise<QuestDbCredentialsError | undefined> {
  const options = parseIlpConfig(config);
  const agent =
    options.protocol === 'https' ? new HttpsAgent({ keepAlive: false }) : new HttpAgent({ keepAlive: false });
  Object.assign(options, {
    stdlib_http: true,
    retry_timeout: 0,
    request_timeout: PROBE_TIMEOUT_MS,
    agent,
    log: () => undefined,
  });
  const transport = questdbClient().createTransport(options);
  try {
    await transport.send(Buffer.alloc(0));
    return undefined;
  } catch (e) {
    const { status, reason } = describeIlpFailure(e);
    if (status !== 401 && status !== 403) return undefined;
    return new QuestDbCredentialsError(
      `QUESTDB_ILP (${ilpEndpoint(options)}, ${ilpCredentials(options)}): ` +
        `QuestDB refused the credentials (HTTP ${status}${reason && reason !== `HTTP ${status}` ? `: ${reason}` : ''})`,
      { cause: e },
    );
  } finally {
    await transport.close();
    agent.destroy();
  }
}

/**
 * The entry points' check before Nest starts, with CANDLE_STORE=questdb:
 * credentials QuestDB refuses (QUESTDB_PG_URL, QUESTDB_ILP) are a
 * configuration error, one line and exit 2 before any work, rather than a job
 * failing at its first write. A QuestDB that does not answer is not: it may
 * come back, `migrate` and GET /health report it and writes fail on it
 * (QUESTDB_UNAVAILABLE), so it passes here.
 *
 * @public (loaded on first use, by require(), in src/preflight.ts)
 */
export async function checkQuestDbCredentials(config: {
  candleStore: string;
  questdb: { pgUrl?: string; ilp?: string };
}): Promise<void> {
  if (config.candleStore !== 'questdb' || config.questdb.pgUrl === undefined || config.questdb.ilp === undefined)
    return;
  const problems = (await Promise.all([pgProblem(config.questdb.pgUrl), ilpProblem(config.questdb.ilp)])).filter(
    (p) => p !== undefined,
  );
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) throw new QuestDbCredentialsError(problems.map((p) => p.message).join('; '));
}
