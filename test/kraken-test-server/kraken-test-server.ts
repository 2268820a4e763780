/**
 * A local stand-in for api.kraken.com (node:http on 127.0.0.1, a free port)
 * for the test suite. Kraken itself is never called from tests.
 *
 * - AssetPairs, Assets, Depth (XXBTZUSD) and Ticker (XXBTZUSD) answer the real
 *   recorded responses in test/fixtures/kraken/api; Ticker of other pairs
 *   is derived from their CSV candles; Time and SystemStatus from the pinned now.
 * - OHLC is computed from the real CSV samples relative to the pinned `now`:
 *   the candles of the window [align(now) - 719 * s, align(now)] (the newest,
 *   containing now, still open), committed ones filtered to ts > since,
 *   `last` = align(now) - s. As Kraken does (see the 2025 recording's 216
 *   count-0 rows), a slot the sample has no candle for, after its first one,
 *   is a count-0 candle at the previous close. Archives carry no vwap: it is
 *   the typical price (high + low + close) / 3.
 * - Trades pages 1000 trades after `since` (nanoseconds; 10-digit values are
 *   seconds), or the newest 1000 without it, never after now, with `last` the
 *   nanosecond time of the last trade sent (since itself when none).
 * - Every endpoint accepts a pair's key, altname or wsname, like Kraken.
 * - Faults are scripted per endpoint (server.fault), whole answers can be
 *   replaced (server.override) or delayed (server.delay), and requests are
 *   counted per endpoint and per series.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { fixtureMarket, FixtureMarket, readFixtureJson } from './fixture-market';

export type KrakenTestEndpoint =
  'Time' | 'SystemStatus' | 'Assets' | 'AssetPairs' | 'Ticker' | 'OHLC' | 'Trades' | 'Depth';

export type FaultKind =
  /** HTTP 200 {"error":["EAPI:Rate limit exceeded"]} */
  | 'rate-limit'
  /** HTTP 200 {"error":["EGeneral:Too many requests"]} */
  | 'too-many-requests'
  /** HTTP 429, empty body */
  | 'http429'
  /** HTTP 500, HTML body */
  | 'http500'
  /** HTTP 503 {"error":["EService:Unavailable"]} */
  | 'unavailable'
  /** HTTP 200 {"error":["EService:Busy"]} */
  | 'busy'
  /** the request is never answered (until the client gives up or the server closes) */
  | 'hang'
  /** the real answer cut in half (HTTP 200, consistent Content-Length) */
  | 'truncated'
  /** HTTP 200 with a non-JSON body */
  | 'malformed'
  /** the connection is dropped without an answer */
  | 'reset'
  /** HTTP 200 {"error":[message]}, e.g. EGeneral:Invalid arguments */
  | 'error';

export interface FaultSpec {
  kind: FaultKind;
  /** How many consecutive requests of the endpoint get the fault (default 1). */
  times?: number;
  /** Kraken error string for kind 'error'. */
  message?: string;
}

export interface RecordedRequest {
  endpoint: string;
  params: Record<string, string>;
  /** Resolved pair key, when the request named a known pair. */
  pairKey?: string;
  interval?: number;
  /** clock() at arrival (Date.now unless the test injects its clock). */
  at: number;
  fault?: FaultKind;
}

/** A replacement answer: an object (sent as JSON with HTTP 200) or `{status, body}` with a raw body. */
export type OverrideAnswer = Record<string, unknown> | { status: number; body: string };
export type Override = (params: URLSearchParams) => OverrideAnswer;

export interface KrakenTestServerOptions {
  /** The pinned present (Date or ISO-8601). */
  now: Date | string;
  /** AssetPairs fixture served (a file in fixtures/kraken/api); default assetpairs_subset_2026-01.json. */
  assetPairsFixture?: string;
  /** Stamps RecordedRequest.at; inject the client's fake timer to measure rates. */
  clock?: () => number;
}

const INTERVALS = new Set([1, 5, 15, 30, 60, 240, 720, 1440, 10080, 21600]);
const OHLC_WINDOW = 720;
const TRADES_PAGE = 1000;

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const json = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });
const krakenError = (message: string, status = 200): Answer => json({ error: [message] }, status);

export class KrakenTestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly faults = new Map<string, Array<{ spec: FaultSpec; left: number }>>();
  private readonly overrides = new Map<string, Override>();
  private readonly delays = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private readonly market: FixtureMarket = fixtureMarket();
  private readonly clock: () => number;
  private readonly assetPairsFile: string;
  private nowMs: number;
  private port = 0;

  private constructor(
    private readonly server: Server,
    options: KrakenTestServerOptions,
  ) {
    this.nowMs = new Date(options.now).getTime();
    if (Number.isNaN(this.nowMs)) throw new Error(`KrakenTestServer: bad now ${String(options.now)}`);
    this.clock = options.clock ?? Date.now;
    this.assetPairsFile = options.assetPairsFixture ?? 'assetpairs_subset_2026-01.json';
  }

  static async start(options: KrakenTestServerOptions): Promise<KrakenTestServer> {
    const server = createServer();
    const instance = new KrakenTestServer(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => instance.handle(req, res));
    server.on('connection', (socket: Socket) => {
      instance.sockets.add(socket);
      socket.on('close', () => instance.sockets.delete(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    instance.port = (server.address() as AddressInfo).port;
    return instance;
  }

  /** Base URL for KRAKEN_API_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get now(): Date {
    return new Date(this.nowMs);
  }

  setNow(now: Date | string): void {
    this.nowMs = new Date(now).getTime();
  }

  /** Scripts a fault for the next `times` requests of an endpoint (queued after earlier faults). */
  fault(endpoint: KrakenTestEndpoint, spec: FaultSpec): this {
    const queue = this.faults.get(endpoint) ?? [];
    queue.push({ spec, left: spec.times ?? 1 });
    this.faults.set(endpoint, queue);
    return this;
  }

  /** Replaces an endpoint's answers until clearOverrides(). */
  override(endpoint: KrakenTestEndpoint, answer: Override): this {
    this.overrides.set(endpoint, answer);
    return this;
  }

  /** Answers the endpoint `ms` milliseconds late (0 removes the delay), e.g. to make two clients overlap. */
  delay(endpoint: KrakenTestEndpoint, ms: number): this {
    if (ms > 0) this.delays.set(endpoint, ms);
    else this.delays.delete(endpoint);
    return this;
  }

  clearOverrides(): void {
    this.overrides.clear();
  }

  clearFaults(): void {
    this.faults.clear();
    this.delays.clear();
  }

  resetCounters(): void {
    this.requests.length = 0;
  }

  /** A fresh copy of the `result` the server sends by default for AssetPairs or Assets (to edit and override). */
  fixtureResult(endpoint: 'AssetPairs' | 'Assets'): Record<string, Record<string, unknown>> {
    return this.recorded(endpoint).result;
  }

  /** Requests received, for one endpoint or all. */
  requestCount(endpoint?: KrakenTestEndpoint): number {
    return endpoint ? this.requests.filter((r) => r.endpoint === endpoint).length : this.requests.length;
  }

  /**
   * OHLC requests of a series (pair by any name + interval), or OHLC and Trades requests of a pair without interval.
   */
  seriesRequestCount(pair: string, intervalMinutes?: number): number {
    const key = this.market.resolvePair(pair) ?? pair;
    return this.requests.filter(
      (r) => r.pairKey === key && (intervalMinutes === undefined || r.interval === intervalMinutes),
    ).length;
  }

  /** The fixture market (names, candle series, trades) the answers come from. */
  get data(): FixtureMarket {
    return this.market;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done, fail) => this.server.close((e) => (e ? fail(e) : done())));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const endpoint = url.pathname.replace(/^\/0\/public\//, '');
    const params = url.searchParams;
    const pairName = params.get('pair');
    const interval = params.get('interval');
    const record: RecordedRequest = {
      endpoint,
      params: Object.fromEntries(params),
      at: this.clock(),
      ...(pairName && !pairName.includes(',') ? { pairKey: this.market.resolvePair(pairName) } : {}),
      ...(endpoint === 'OHLC' ? { interval: interval ? Number(interval) : 1 } : {}),
    };
    this.requests.push(record);
    const fault = this.takeFault(endpoint);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const answer = fault ? this.faultAnswer(fault, () => this.answer(endpoint, params)) : this.answer(endpoint, params);
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    };
    const delay = this.delays.get(endpoint);
    if (delay) setTimeout(send, delay);
    else send();
  }

  private takeFault(endpoint: string): FaultSpec | undefined {
    const queue = this.faults.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.spec;
  }

  private faultAnswer(fault: FaultSpec, real: () => Answer): Answer {
    switch (fault.kind) {
      case 'rate-limit':
        return krakenError('EAPI:Rate limit exceeded');
      case 'too-many-requests':
        return krakenError('EGeneral:Too many requests');
      case 'http429':
        return { status: 429, body: '' };
      case 'http500':
        return {
          status: 500,
          body: '<html><body>500 Internal Server Error</body></html>',
          headers: { 'content-type': 'text/html' },
        };
      case 'unavailable':
        return krakenError('EService:Unavailable', 503);
      case 'busy':
        return krakenError('EService:Busy');
      case 'truncated': {
        const body = real().body;
        return { status: 200, body: body.slice(0, Math.floor(body.length / 2)) };
      }
      case 'malformed':
        return {
          status: 200,
          body: '<!DOCTYPE html><title>Cloudflare</title>',
          headers: { 'content-type': 'text/html' },
        };
      case 'error':
        return krakenError(fault.message ?? 'EGeneral:Internal error');
      default:
        throw new Error(`fault ${fault.kind} has no answer`);
    }
  }

  private answer(endpoint: string, params: URLSearchParams): Answer {
    const override = this.overrides.get(endpoint);
    if (override) {
      const a = override(params);
      return typeof a.status === 'number' && typeof a.body === 'string' ? { status: a.status, body: a.body } : json(a);
    }
    switch (endpoint) {
      case 'Time':
        return json({
          error: [],
          result: { unixtime: Math.floor(this.nowMs / 1000), rfc1123: new Date(this.nowMs).toUTCString() },
        });
      case 'SystemStatus':
        return json({ error: [], result: { status: 'online', timestamp: new Date(this.nowMs).toISOString() } });
      case 'AssetPairs':
        return this.filtered('AssetPairs', params.get('pair'), (name) => this.market.resolvePair(name));
      case 'Assets':
        return this.filtered('Assets', params.get('asset'), (name) => this.assetKey(name));
      case 'OHLC':
        return this.ohlc(params);
      case 'Trades':
        return this.trades(params);
      case 'Ticker':
        return this.ticker(params);
      case 'Depth':
        return this.depth(params);
      default:
        return krakenError('EGeneral:Unknown method', 404);
    }
  }

  private recorded(endpoint: 'AssetPairs' | 'Assets'): { result: Record<string, Record<string, unknown>> } {
    return readFixtureJson(join('api', endpoint === 'AssetPairs' ? this.assetPairsFile : 'assets_all_2020-07.json'));
  }

  private assetKey(name: string): string | undefined {
    const all = this.recorded('Assets').result;
    return Object.keys(all).find((k) => k === name.toUpperCase() || all[k]!.altname === name.toUpperCase());
  }

  private filtered(
    endpoint: 'AssetPairs' | 'Assets',
    list: string | null,
    resolveName: (n: string) => string | undefined,
  ): Answer {
    const all = this.recorded(endpoint).result;
    if (!list) return json({ error: [], result: all });
    const result: Record<string, unknown> = {};
    for (const name of list.split(',')) {
      const key = resolveName(name);
      if (!key || !all[key])
        return krakenError(endpoint === 'AssetPairs' ? 'EQuery:Unknown asset pair' : 'EQuery:Unknown asset');
      result[key] = all[key];
    }
    return json({ error: [], result });
  }

  private pairOf(params: URLSearchParams): string | Answer {
    const name = params.get('pair');
    if (!name) return krakenError('EGeneral:Invalid arguments');
    return this.market.resolvePair(name) ?? krakenError('EQuery:Unknown asset pair');
  }

  private ohlc(params: URLSearchParams): Answer {
    const pair = this.pairOf(params);
    if (typeof pair !== 'string') return pair;
    const interval = Number(params.get('interval') ?? '1');
    const sinceText = params.get('since');
    const since = sinceText === null ? undefined : Number(sinceText);
    if (!INTERVALS.has(interval) || (since !== undefined && !Number.isFinite(since)))
      return krakenError('EGeneral:Invalid arguments');
    const s = interval * 60;
    const open = Math.floor(this.nowMs / 1000 / s) * s;
    const first = open - (OHLC_WINDOW - 1) * s;
    const candles = this.market.candles(pair, interval);
    const rows: unknown[][] = [];
    let previous: (typeof candles)[number] | undefined;
    let current: (typeof candles)[number] | undefined;
    const wanted = (ts: number) => ts >= first && ts < open && (since === undefined || ts > since);
    const empty = (ts: number, close: string) => [ts, close, close, close, close, '0.0', '0.00000000', 0];
    for (const c of candles) {
      if (c.ts > open) break;
      // The no-trade slots since the previous candle, as Kraken fills them.
      if (previous)
        for (let ts = previous.ts + s; ts < c.ts && ts < open; ts += s)
          if (wanted(ts)) rows.push(empty(ts, previous.close));
      if (c.ts === open) current = c;
      else previous = c;
      if (wanted(c.ts)) rows.push(row(c));
    }
    if (previous && !current)
      for (let ts = previous.ts + s; ts < open; ts += s) if (wanted(ts)) rows.push(empty(ts, previous.close));
    if (current) rows.push(row(current));
    else if (previous) rows.push(empty(open, previous.close));
    return json({ error: [], result: { [pair]: rows, last: open - s } });
  }

  private trades(params: URLSearchParams): Answer {
    const pair = this.pairOf(params);
    if (typeof pair !== 'string') return pair;
    const sinceText = params.get('since');
    if (sinceText !== null && !/^\d+$/.test(sinceText)) return krakenError('EGeneral:Invalid arguments');
    const since =
      sinceText === null ? undefined : sinceText.length <= 11 ? BigInt(sinceText) * 1_000_000_000n : BigInt(sinceText);
    const nowNs = BigInt(this.nowMs) * 1_000_000n;
    const visible = this.market.trades(pair).filter((t) => t.ns <= nowNs);
    const page =
      since === undefined ? visible.slice(-TRADES_PAGE) : visible.filter((t) => t.ns > since).slice(0, TRADES_PAGE);
    const last = page.length ? page[page.length - 1]!.ns : (since ?? 0n);
    return json({ error: [], result: { [pair]: page.map((t) => t.row), last: last.toString() } });
  }

  private ticker(params: URLSearchParams): Answer {
    const pair = this.pairOf(params);
    if (typeof pair !== 'string') return pair;
    if (pair === 'XXBTZUSD')
      return { status: 200, body: JSON.stringify(readFixtureJson(join('api', 'ticker_XXBTZUSD_2020-12-05.json'))) };
    const interval = [1, 5, 15, 30, 60, 240, 720, 1440].find((i) => this.market.candles(pair, i).length > 0);
    const nowSec = Math.floor(this.nowMs / 1000);
    const past = interval ? this.market.candles(pair, interval).filter((c) => c.ts <= nowSec) : [];
    const lastCandle = past[past.length - 1];
    if (!lastCandle) return krakenError('EQuery:Unknown asset pair');
    const day = past.filter((c) => c.ts > nowSec - 86_400);
    const sum = (f: (c: (typeof past)[number]) => number) => day.reduce((a, c) => a + f(c), 0);
    const volume = sum((c) => Number(c.volume)).toFixed(8);
    const trades = sum((c) => c.count);
    const low = day.length ? String(Math.min(...day.map((c) => Number(c.low)))) : lastCandle.close;
    const high = day.length ? String(Math.max(...day.map((c) => Number(c.high)))) : lastCandle.close;
    const c = lastCandle.close;
    return json({
      error: [],
      result: {
        [pair]: {
          a: [c, '1', '1.000'],
          b: [c, '1', '1.000'],
          c: [c, '0.00000000'],
          v: [volume, volume],
          p: [c, c],
          t: [trades, trades],
          l: [low, low],
          h: [high, high],
          o: day[0]?.open ?? c,
        },
      },
    });
  }

  private depth(params: URLSearchParams): Answer {
    const pair = this.pairOf(params);
    if (typeof pair !== 'string') return pair;
    if (pair !== 'XXBTZUSD') return krakenError('EQuery:Unknown asset pair');
    const recorded = readFixtureJson<{ error: string[]; result: Record<string, { asks: unknown[]; bids: unknown[] }> }>(
      join('api', 'depth_XXBTZUSD_count100_2020-12-05.json'),
    );
    const count = Number(params.get('count') ?? '100');
    const book = recorded.result.XXBTZUSD!;
    return json({
      error: [],
      result: { XXBTZUSD: { asks: book.asks.slice(0, count), bids: book.bids.slice(0, count) } },
    });
  }
}

function row(c: {
  ts: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  count: number;
}): unknown[] {
  const vwap = ((Number(c.high) + Number(c.low) + Number(c.close)) / 3).toFixed(8);
  return [c.ts, c.open, c.high, c.low, c.close, vwap, c.volume, c.count];
}
