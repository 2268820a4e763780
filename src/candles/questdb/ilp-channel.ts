import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SenderOptions, SenderTransport } from '@questdb/nodejs-client';
import { InvariantError } from '../../common/errors';
import { ilpEndpoint, parseIlpConfig } from '../../config/questdb-settings';
import { fetchSettings, IlpProtocolVersion, protocolVersionFromSettings } from './ilp-protocol';
import { IlpStream, serverMessage } from './ilp-stream';
import { questdbClient } from './questdb-client';
import { tcpProblem } from './tcp-probe';
import { QuestDbUnavailableError, writeRefusal } from './questdb.errors';

export type IlpLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string | Error) => void;

/** HTTP statuses worth retrying: QuestDB busy or restarting, or a proxy in front of it failing. */
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504, 507, 509, 523, 524, 529, 599]);
/** Socket-level failures worth retrying. */
const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const DEFAULT_RETRY_TIMEOUT_MS = 10_000;
const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;

export interface IlpFailure {
  retryable: boolean;
  /** HTTP status when QuestDB answered. */
  status?: number;
  /** Why, in QuestDB's words when it gave any. */
  reason: string;
}

/**
 * Reads a failure of the client's HTTP transport. The client reports the
 * status only inside its message (`HTTP request failed, statusCode=400,
 * error=<body>`); the unit tests pin that format against real HTTP exchanges.
 */
export function describeIlpFailure(error: unknown): IlpFailure {
  const e = error as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(error);
  if (typeof e?.code === 'string' && RETRYABLE_CODES.has(e.code))
    return { retryable: true, reason: message.includes(e.code) ? message : `${e.code} ${message}` };
  const status = /statusCode=(\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    const body = /error=([\s\S]*)$/.exec(message)?.[1] ?? '';
    return { retryable: RETRYABLE_STATUSES.has(code), status: code, reason: serverMessage(body) || `HTTP ${code}` };
  }
  // The node:http transport reports its request timeout as "HTTP request timeout, no response from server in time";
  // the /settings probe wraps socket errors as "Failed to load <url> [error=TypeError: fetch failed]".
  if (/timeout/i.test(message) || /^Failed to load .*\[error=/.test(message))
    return { retryable: true, reason: message };
  return { retryable: false, reason: message };
}

/**
 * One ILP/HTTP endpoint, from the QUESTDB_ILP config string, through
 * `@questdb/nodejs-client`'s transport (rows are encoded by IlpCandleEncoder for the protocol version
 * negotiated with the server through GET /settings unless the string sets
 * `protocol_version`: QuestDB 9 lists its versions there, QuestDB 8 none,
 * which is protocol 1 — see ilp-protocol.ts), its transport POSTs them to `/write`. A 204 answer is
 * QuestDB's acknowledgement that the request's rows are committed (one
 * transaction per request); only then does `send` resolve.
 *
 * What candlekeep configures on top of QUESTDB_ILP:
 * - `auto_flush=off`: the bulk writer decides when a batch goes out;
 * - `stdlib_http=on`: the client's default (undici) transport never settles a
 *   request whose connection is refused (it retries forever in the
 *   background); the node:http transport rejects it at once;
 * - `retry_timeout=0` for the client, and the retrying done here instead: a
 *   request failing with a socket error, a timeout or a retryable status
 *   (408, 425, 429, 5xx) is re-sent with the same bytes, with exponential
 *   backoff (50 ms doubling to 2 s), until the `retry_timeout` of QUESTDB_ILP
 *   (default 10000 ms, the client's meaning) has passed since the first
 *   attempt; then it fails with QuestDbUnavailableError. Other 4xx fail at
 *   once (QuestDbWriteRejectedError). Re-sending is harmless: the table
 *   deduplicates on (ts, asset, interval_minutes).
 * The node:http transport does not pass on the body of an error answer, so a
 * rejection carries the status; the store re-checks the table's schema to
 * tell a schema mismatch apart.
 */
export class IlpChannel {
  /** The keep-alive connections of streamed requests (the client's transport keeps its own). */
  private agent: HttpAgent | HttpsAgent | undefined;

  private constructor(
    private readonly options: SenderOptions,
    private readonly transport: SenderTransport,
    private readonly retryTimeoutMs: number,
    private readonly log: IlpLog,
  ) {}

  static async open(config: string, log: IlpLog): Promise<IlpChannel> {
    const options = parseIlpConfig(config);
    const retryTimeoutMs = options.retry_timeout ?? DEFAULT_RETRY_TIMEOUT_MS;
    options.auto_flush = false;
    options.stdlib_http = true;
    options.retry_timeout = 0;
    options.log = log;
    if (options.protocol_version === 'auto') {
      const settings = await retrying(
        options,
        'negotiate the ILP protocol version (GET /settings)',
        () => fetchSettings(options),
        retryTimeoutMs,
        log,
      );
      options.protocol_version = protocolVersionFromSettings(settings);
      log('debug', `ILP protocol version ${options.protocol_version} (from GET /settings)`);
    }
    return new IlpChannel(options, questdbClient().createTransport(options), retryTimeoutMs, log);
  }

  /** The ILP protocol version in use: '1' sends doubles as text, '2' and '3' as binary. */
  get protocolVersion(): IlpProtocolVersion {
    const version = String(this.options.protocol_version);
    if (version === '1' || version === '2' || version === '3') return version;
    throw new InvariantError(`ILP protocol version ${version} is none this store encodes (1, 2, 3)`);
  }

  /** Closes the transport's keep-alive connections. */
  async close(): Promise<void> {
    this.agent?.destroy();
    await this.transport.close();
  }

  /** Sends one request; resolves once QuestDB acknowledged it (HTTP 204), else throws a typed error. */
  async send(data: Buffer): Promise<void> {
    await retrying(
      this.options,
      'write rows (POST /write)',
      () => this.transport.send(data),
      this.retryTimeoutMs,
      this.log,
    );
  }

  /** A sink sending each chunk as a request of its own: one transaction per chunk, each retried as above. */
  requests(): IlpSink {
    return {
      send: async (chunk, rows) => {
        await this.send(chunk);
        return rows;
      },
      finish: async () => 0,
      abort: () => undefined,
    };
  }

  /**
   * A sink writing every chunk into one streamed request (opened with the first chunk): one transaction for
   * all of them, acknowledged at finish(); abort() cuts it off and QuestDB keeps none of it (ilp-stream.ts).
   */
  stream(): IlpSink {
    let stream: IlpStream | undefined;
    let rowsSent = 0;
    return {
      send: async (chunk, rows) => {
        stream ??= new IlpStream(this.options, this.streamAgent());
        await stream.write(chunk);
        rowsSent += rows;
        return 0;
      },
      finish: async () => {
        await stream?.end();
        return rowsSent;
      },
      abort: () => stream?.abort(),
    };
  }

  private streamAgent(): HttpAgent | HttpsAgent {
    this.agent ??=
      this.options.protocol === 'https' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    return this.agent;
  }
}

/** Where a bulk writer's encoded chunks go (see IlpChannel.requests and IlpChannel.stream). */
export interface IlpSink {
  /**
   * Sends a chunk of `rows` rows; resolves with the rows QuestDB acknowledged by then. The chunk may be reused after.
   */
  send(chunk: Buffer, rows: number): Promise<number>;
  /** After the last chunk: resolves with the rows acknowledged by finishing. */
  finish(): Promise<number>;
  /** Throws away what was sent and is not acknowledged. */
  abort(): void;
}

async function retrying<T>(
  options: SenderOptions,
  what: string,
  attempt: () => Promise<T>,
  retryTimeoutMs: number,
  log: IlpLog,
): Promise<T> {
  const started = Date.now();
  let backoff = FIRST_BACKOFF_MS;
  for (let attempts = 1; ; attempts++) {
    try {
      return await attempt();
    } catch (e) {
      const failure = describeIlpFailure(e);
      if (!failure.retryable) throw rejected(options, what, failure, e);
      const elapsed = Date.now() - started;
      if (elapsed + backoff > retryTimeoutMs) {
        const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts over ${elapsed} ms`;
        throw await unavailable(
          options,
          `could not ${what} (${tries}, retry_timeout=${retryTimeoutMs} ms): ${failure.reason}`,
          e,
          failure.status,
        );
      }
      log('warn', `could not ${what} (attempt ${attempts}: ${failure.reason}); retrying in ${backoff} ms`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

function rejected(options: SenderOptions, what: string, failure: IlpFailure, cause: unknown): Error {
  const status = failure.status;
  if (status === undefined)
    return new QuestDbUnavailableError(`could not ${what} at ${ilpEndpoint(options)}: ${failure.reason}`, undefined, {
      cause,
    });
  return writeRefusal(status, failure.reason, `QuestDB refused to ${what}`, cause);
}

async function unavailable(
  options: SenderOptions,
  message: string,
  cause: unknown,
  status?: number,
): Promise<QuestDbUnavailableError> {
  const tcp = status === undefined ? await tcpProblem(options.host ?? '', options.port ?? 9000, 1_000) : undefined;
  return new QuestDbUnavailableError(`${message} (${ilpEndpoint(options)}${tcp ? `: ${tcp}` : ''})`, status, { cause });
}
