import { Inject, Injectable, Logger } from '@nestjs/common';
import { UsageError } from '../../common/errors';
import {
  KrakenApiError,
  KrakenResponseError,
  KrakenUnavailableError,
  KrakenUnreachableError,
  KrakenUnknownPairError,
  TransientReason,
} from './kraken.errors';
import {
  parseAssetPairs,
  parseAssets,
  parseDepth,
  parseOhlc,
  parseServerTime,
  parseSystemStatus,
  parseTicker,
  parseTrades,
  quoteLongCursors,
} from './kraken.parsers';
import {
  KrakenAssetInfo,
  KrakenAssetPair,
  OhlcPage,
  OrderBook,
  ServerTime,
  SystemStatus,
  Ticker,
  TradesPage,
} from './kraken.types';
import { KRAKEN_TIMER, RateLimiter, Timer } from './rate-limiter';

export interface KrakenClientOptions {
  /** KRAKEN_API_URL, e.g. https://api.kraken.com */
  baseUrl: string;
  /** Per request, including reading the body (KRAKEN_TIMEOUT_MS). */
  timeoutMs: number;
  /** Retries of a transient failure (KRAKEN_MAX_RETRIES): at most maxRetries + 1 requests. */
  maxRetries: number;
  /** First retry delay; doubles per attempt up to backoffMaxMs, with jitter (KRAKEN_BACKOFF_BASE_MS / _MAX_MS). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Jitter source in [0, 1); Math.random unless a test pins it. */
  random?: () => number;
  /**
   * After this many network failures in a row (no HTTP answer at all: refused, unknown host, reset — not
   * HTTP errors, not timeouts), across requests, Kraken is unreachable: KrakenUnreachableError at once,
   * no more retries (KRAKEN_UNREACHABLE_AFTER; never when absent).
   */
  unreachableAfter?: number;
  /** Per-endpoint timeout and retries, over the ones above (KRAKEN_ENDPOINT_TIMEOUTS_MS, KRAKEN_ENDPOINT_RETRIES). */
  endpoints?: Partial<Record<KrakenEndpoint, { timeoutMs?: number; maxRetries?: number }>>;
}

/**
 * Asked before every HTTP request a call sends, retries included: a call
 * budget (`--max-calls`) throws here to stop a call between its attempts.
 */
export interface RequestGate {
  beforeRequest(): void;
}

export const KRAKEN_CLIENT_OPTIONS = Symbol('KRAKEN_CLIENT_OPTIONS');

export type KrakenEndpoint = 'Time' | 'SystemStatus' | 'Assets' | 'AssetPairs' | 'Ticker' | 'OHLC' | 'Trades' | 'Depth';

/** Kraken errors that mean "slow down" (retried after backoff; the rate limiter slows down). */
const RATE_LIMIT_ERRORS = new Set(['EAPI:Rate limit exceeded', 'EGeneral:Too many requests']);
/** Kraken errors that mean "try again later". */
const SERVICE_ERRORS = new Set(['EService:Unavailable', 'EService:Busy', 'EService:Deadline elapsed']);
const UNKNOWN_PAIR = 'EQuery:Unknown asset pair';

type Attempt = { result: unknown } | { transient: TransientReason; message: string; retryAfterMs?: number };

/**
 * Kraken's public REST API (Time, SystemStatus, Assets, AssetPairs, Ticker,
 * OHLC, Trades, Depth). Every request waits for the process-wide token bucket;
 * transient failures (HTTP 5xx and 429, network errors, timeouts,
 * EService:Unavailable/Busy, rate-limit errors, truncated or malformed JSON)
 * are retried with exponential backoff and jitter; permanent Kraken errors
 * surface at once as KrakenApiError (KrakenUnknownPairError for
 * `EQuery:Unknown asset pair`) with Kraken's message; unexpected shapes are
 * KrakenResponseError. `apiCalls` counts every HTTP request sent.
 */
@Injectable()
export class KrakenClient {
  private readonly logger = new Logger(KrakenClient.name);
  private readonly baseUrl: string;
  private readonly random: () => number;
  private calls = 0;
  private retried = 0;
  /** Network failures since the last HTTP answer of any kind. */
  private networkFailures = 0;

  constructor(
    @Inject(KRAKEN_CLIENT_OPTIONS) private readonly options: KrakenClientOptions,
    private readonly limiter: RateLimiter,
    @Inject(KRAKEN_TIMER) private readonly timer: Timer,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.random = options.random ?? Math.random;
  }

  /** HTTP requests sent so far by this process (retries included). */
  get apiCalls(): number {
    return this.calls;
  }

  /** Requests that were retries of a transient failure. */
  get retries(): number {
    return this.retried;
  }

  serverTime(): Promise<ServerTime> {
    return this.get('Time', {}, parseServerTime);
  }

  systemStatus(): Promise<SystemStatus> {
    return this.get('SystemStatus', {}, parseSystemStatus);
  }

  /** Asset info, all assets or the given asset codes. */
  assets(codes?: readonly string[]): Promise<KrakenAssetInfo[]> {
    return this.get('Assets', codes?.length ? { asset: codes.join(',') } : {}, parseAssets);
  }

  /** Tradable pairs, all or the given pair names (any of key, altname, wsname). */
  assetPairs(pairs?: readonly string[]): Promise<KrakenAssetPair[]> {
    return this.get('AssetPairs', pairs?.length ? { pair: pairs.join(',') } : {}, parseAssetPairs);
  }

  ticker(pair: string): Promise<Ticker> {
    return this.get('Ticker', { pair }, parseTicker);
  }

  /**
   * Up to 720 most recent candles of `intervalMinutes` for `pair` (any Kraken
   * name), those after `since` (epoch seconds) when given, the newest still
   * open: `{ pairKey, candles: [{ts, open, high, low, close, vwap, volume, count}], last }`.
   */
  ohlc(pair: string, intervalMinutes: number, since?: number, gate?: RequestGate): Promise<OhlcPage> {
    const params: Record<string, string> = { pair, interval: String(intervalMinutes) };
    if (since !== undefined) params.since = String(since);
    return this.get('OHLC', params, parseOhlc, gate);
  }

  /**
   * Up to 1000 trades after the nanosecond cursor `since` (the most recent
   * ones without it): `{ pairKey, trades: [{price, volume, timeSec, timeNs,
   * side, type, misc, tradeId}], last }` where `last` is the next cursor.
   */
  trades(pair: string, since?: string, gate?: RequestGate): Promise<TradesPage> {
    const params: Record<string, string> = { pair };
    if (since !== undefined) {
      if (!/^\d+$/.test(since))
        throw new UsageError(`Kraken Trades: since must be a nanosecond cursor (digits), got ${JSON.stringify(since)}`);
      params.since = since;
    }
    return this.get('Trades', params, parseTrades, gate);
  }

  depth(pair: string, count?: number): Promise<OrderBook> {
    const params: Record<string, string> = { pair };
    if (count !== undefined) params.count = String(count);
    return this.get('Depth', params, parseDepth);
  }

  private async get<T>(
    endpoint: KrakenEndpoint,
    params: Record<string, string>,
    parse: (result: unknown) => T,
    gate?: RequestGate,
  ): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const url = `${this.baseUrl}/0/public/${endpoint}${query ? `?${query}` : ''}`;
    const context = query ? ` ${decodeURIComponent(query).replace(/&/g, ' ')}` : '';
    const own = this.options.endpoints?.[endpoint];
    const attempts = (own?.maxRetries ?? this.options.maxRetries) + 1;
    const timeoutMs = own?.timeoutMs ?? this.options.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      gate?.beforeRequest();
      await this.limiter.acquire();
      this.calls++;
      if (attempt > 1) this.retried++;
      this.logger.debug(`GET ${endpoint}${context} (attempt ${attempt}/${attempts})`);
      const outcome = await this.send(endpoint, url, context, timeoutMs);
      if ('result' in outcome) {
        this.limiter.recover();
        return parse(outcome.result);
      }
      if (outcome.transient === 'rate_limit') this.limiter.slowDown();
      if (outcome.transient === 'network' && this.networkFailures >= (this.options.unreachableAfter ?? Infinity)) {
        throw new KrakenUnreachableError(this.baseUrl, this.networkFailures, outcome.message);
      }
      if (attempt >= attempts) {
        throw new KrakenUnavailableError(
          `Kraken ${endpoint}${context}: ${outcome.message}; gave up after ${attempts} attempt(s)`,
          outcome.transient,
          attempts,
        );
      }
      const delay = this.backoff(attempt, outcome.retryAfterMs);
      this.logger.warn(
        `Kraken ${endpoint}${context} attempt ${attempt}/${attempts} failed (${outcome.message}); ` +
          `retrying in ${delay} ms`,
      );
      await this.timer.sleep(delay);
    }
  }

  /** One HTTP request: the result, a transient failure, or a thrown permanent error. */
  private async send(endpoint: KrakenEndpoint, url: string, context: string, timeoutMs: number): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const failed = (e: unknown): Attempt => {
      if (controller.signal.aborted) return { transient: 'timeout', message: `no answer within ${timeoutMs} ms` };
      this.networkFailures++;
      return { transient: 'network', message: `network error: ${describeFetchError(e)}` };
    };
    try {
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          signal: controller.signal,
          headers: { accept: 'application/json', 'user-agent': 'candlekeep' },
        });
        this.networkFailures = 0; // Kraken answered (whatever it said): it is reachable
        text = await res.text();
      } catch (e) {
        return failed(e);
      }
      if (res.status === 429) return { transient: 'rate_limit', message: 'HTTP 429', retryAfterMs: retryAfterMs(res) };
      if (res.status >= 500) return { transient: 'http', message: `HTTP ${res.status}${errorsIn(text)}` };
      let body: unknown;
      try {
        body = JSON.parse(quoteLongCursors(text));
      } catch {
        if (!res.ok) throw new KrakenApiError(endpoint, [`HTTP ${res.status}`], context);
        return { transient: 'malformed_json', message: `malformed or truncated JSON (${text.length} bytes)` };
      }
      const envelope = parseEnvelope(endpoint, body);
      const errors = envelope.errors.filter((e) => e.startsWith('E'));
      if (errors.some((e) => RATE_LIMIT_ERRORS.has(e))) return { transient: 'rate_limit', message: errors.join('; ') };
      if (errors.some((e) => SERVICE_ERRORS.has(e))) return { transient: 'service', message: errors.join('; ') };
      if (errors.includes(UNKNOWN_PAIR)) throw new KrakenUnknownPairError(endpoint, errors, context);
      if (errors.length) throw new KrakenApiError(endpoint, errors, context);
      if (!res.ok) throw new KrakenApiError(endpoint, [`HTTP ${res.status}`], context);
      if (envelope.result === undefined)
        throw new KrakenResponseError(`Kraken ${endpoint}${context}: answer has neither errors nor a result`);
      return { result: envelope.result };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Exponential backoff with equal jitter: half the step fixed, half random; never less than Retry-After. */
  private backoff(attempt: number, retryAfter?: number): number {
    const step = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** (attempt - 1));
    const delay = Math.round(step / 2 + (this.random() * step) / 2);
    return Math.max(delay, retryAfter ?? 0);
  }
}

function parseEnvelope(endpoint: string, body: unknown): { errors: string[]; result: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new KrakenResponseError(
      `Kraken ${endpoint}: unexpected response: expected an object with "error" and "result"`,
    );
  }
  const { error, result } = body as { error?: unknown; result?: unknown };
  if (error !== undefined && (!Array.isArray(error) || error.some((e) => typeof e !== 'string'))) {
    throw new KrakenResponseError(`Kraken ${endpoint}: unexpected response: "error" should be a list of strings`);
  }
  return { errors: (error as string[] | undefined) ?? [], result };
}

/** Kraken error strings inside an error page's JSON body, if any, for the log. */
function errorsIn(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return Array.isArray(parsed.error) && parsed.error.length ? `: ${parsed.error.join('; ')}` : '';
  } catch {
    return '';
  }
}

function retryAfterMs(res: Response): number | undefined {
  const header = res.headers.get('retry-after');
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function describeFetchError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}
