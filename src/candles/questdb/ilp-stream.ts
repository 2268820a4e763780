import { readFileSync } from 'node:fs';
import {
  Agent as HttpAgent,
  ClientRequest,
  IncomingMessage,
  OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SenderOptions } from '@questdb/nodejs-client';
import { InvariantError } from '../../common/errors';
import { ilpEndpoint } from '../../config/questdb-settings';
import { QuestDbUnavailableError, writeRefusal } from './questdb.errors';

/** The client's defaults for the settings QUESTDB_ILP may leave out (its documentation's values). */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_THROUGHPUT = 102_400;

/** How a stream ended badly, before it is turned into a typed error. */
interface StreamFailure {
  status?: number;
  reason: string;
  cause?: unknown;
}

/**
 * One ILP/HTTP request whose body is written while it is being produced:
 * QuestDB commits a request's rows for a single table as **one transaction**
 * when the request ends, and keeps none of them when the request is cut off
 * or a line is refused (QuestDB's "HTTP transaction semantics"; measured on
 * 9.3.4: nothing readable while 2M rows stream in, nothing left after the
 * socket is destroyed half-way). That is a bulk load's atomicity with every
 * row written once, where a staging table and an `INSERT … SELECT` wrote it
 * twice (the move alone cost ~0.5 µs per row, a fifth of the load).
 *
 * Hand-written on node:http because the client's transports send only whole
 * buffers; it sends what the client would: `POST /write?precision=n`, Basic
 * or Bearer authorization, TLS verification and CA from QUESTDB_ILP. The
 * socket may stay quiet for at most `request_timeout` while the body streams;
 * after the end QuestDB has `request_timeout` plus the body at
 * `request_min_throughput` to answer (the client's own budget for a request).
 * A stream is never retried: its bytes are gone once written; the caller
 * re-runs the whole load, which nothing of the failed one has touched.
 */
export class IlpStream {
  private readonly request: ClientRequest;
  private readonly answered: Promise<void>;
  private failure: StreamFailure | undefined;
  private bytes = 0;
  private ended = false;

  constructor(
    private readonly options: SenderOptions,
    agent: HttpAgent | HttpsAgent,
  ) {
    const secure = options.protocol === 'https';
    const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    else if (options.username && options.password)
      headers.authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.request = (secure ? httpsRequest : httpRequest)({
      host: options.host,
      port: options.port ?? 9000,
      path: '/write?precision=n',
      method: 'POST',
      agent,
      headers,
      ...(secure
        ? {
            rejectUnauthorized: options.tls_verify !== false,
            ca: options.tls_ca ? readFileSync(options.tls_ca) : undefined,
          }
        : {}),
    });
    this.request.setTimeout(this.requestTimeoutMs, () =>
      this.request.destroy(
        Object.assign(new Error(`no progress for ${this.requestTimeoutMs} ms (request_timeout)`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    this.answered = new Promise<void>((resolve, reject) => {
      this.request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        // An answer before the body's end is a refusal (or cannot be a commit of all of it): it is the reason,
        // whatever the writes then run into (EPIPE on the socket QuestDB closes).
        if (status !== 204 || !this.ended) this.failure = { status, reason: `HTTP ${status}` };
        const body: Buffer[] = [];
        response.on('data', (chunk: Buffer) => body.push(chunk));
        response.on('end', () => {
          if (!this.failure) return resolve();
          if (status !== 204)
            this.failure.reason = serverMessage(Buffer.concat(body).toString('utf8')) || `HTTP ${status}`;
          else this.failure.reason = 'QuestDB answered before the request was complete';
          this.request.destroy();
          reject(this.error());
        });
      });
      this.request.on('error', (e: NodeJS.ErrnoException) => {
        this.failed(e);
        reject(this.error());
      });
    });
    // Reported by write() or end(); never an unhandled rejection.
    this.answered.catch(() => undefined);
  }

  /**
   * Writes a chunk; resolves once it is handed to the socket (the caller may then reuse its memory), rejects with
   * the stream's failure.
   */
  write(chunk: Buffer): Promise<void> {
    if (this.ended) return Promise.reject(new InvariantError('write after end of an ILP stream'));
    if (this.failure) return Promise.reject(this.error());
    this.bytes += chunk.length;
    return new Promise<void>((resolve, reject) => {
      // A socket error may reach this callback before the request's 'error' event: typed the same way either way.
      this.request.write(chunk, (e) => {
        if (e) this.failed(e);
        if (this.failure) reject(this.error());
        else resolve();
      });
    });
  }

  /** Ends the body; resolves when QuestDB acknowledged the request (HTTP 204: its rows are committed). */
  async end(): Promise<void> {
    if (this.failure) throw this.error();
    this.ended = true;
    this.request.setTimeout(
      this.requestTimeoutMs + (this.minThroughput > 0 ? (this.bytes / this.minThroughput) * 1000 : 0),
    );
    this.request.end();
    await this.answered;
  }

  /** Cuts the request off: QuestDB keeps nothing of it. */
  abort(): void {
    this.failure ??= { reason: 'aborted' };
    this.request.destroy();
  }

  /** Keeps the first failure: an answer QuestDB gave, else the socket's error. */
  private failed(e: NodeJS.ErrnoException): void {
    this.failure ??= { reason: e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message, cause: e };
  }

  private get requestTimeoutMs(): number {
    return this.options.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  private get minThroughput(): number {
    return this.options.request_min_throughput ?? DEFAULT_MIN_THROUGHPUT;
  }

  private error(): Error {
    const failure = this.failure ?? { reason: 'unknown failure' };
    const what =
      `QuestDB did not take the streamed rows (${this.bytes} bytes, one transaction) ` +
      `at ${ilpEndpoint(this.options)}`;
    const { status, cause } = failure;
    if (status !== undefined && status >= 400 && status < 500) return writeRefusal(status, failure.reason, what, cause);
    return new QuestDbUnavailableError(`${what}: ${failure.reason}; nothing of it was kept`, status, { cause });
  }
}

/** QuestDB answers a refused ILP/HTTP write with a JSON body `{code, message, line, errorId}`. */
export function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: use the body as is
  }
  return body.trim();
}
