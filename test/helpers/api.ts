import type { ApiScope } from '../../src/entities/api-token.entity';
import { runCli } from './cli';

/**
 * A new API token in the database at `databaseUrl`, made as a user makes one: the built CLI's
 * `candlekeep tokens create NAME --scopes … --json` (its one printing of the token).
 */
export async function createApiToken(
  databaseUrl: string,
  name: string,
  scopes: readonly ApiScope[] = ['read'],
): Promise<string> {
  const r = await runCli(['tokens', 'create', name, '--scopes', scopes.join(','), '--json'], {
    DATABASE_URL: databaseUrl,
  });
  if (r.code !== 0) throw new Error(`tokens create ${name} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.json<{ token: string }>().token;
}

/** `candlekeep tokens revoke NAME` with the built CLI. */
export async function revokeApiToken(databaseUrl: string, name: string): Promise<void> {
  const r = await runCli(['tokens', 'revoke', name, '--json'], { DATABASE_URL: databaseUrl });
  if (r.code !== 0) throw new Error(`tokens revoke ${name} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or its text when it is no JSON. */
  body: T;
}

/** The error body of every error answer of the API. */
export interface ApiErrorAnswerBody {
  error: { code: string; message: string };
}

/**
 * A request to the server on 127.0.0.1:`port` (path with its query, e.g. `/api/v1/series?interval=60`), with
 * `Authorization: Bearer <token>` when a token is given and `body` sent as JSON.
 */
export async function apiRequest<T = unknown>(
  port: number,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (the docs page): the text as it is
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** GET `path` on 127.0.0.1:`port`, with the bearer token when given. */
export function apiGet<T = unknown>(port: number, path: string, token?: string): Promise<ApiAnswer<T>> {
  return apiRequest<T>(port, 'GET', path, { token });
}
