import { Logger } from '@nestjs/common';
import { exitCodeFor } from '../../src/common/error-map';
import { KrakenClient, KrakenClientOptions } from '../../src/sources/kraken/kraken.client';
import {
  KrakenApiError,
  KrakenResponseError,
  KrakenUnavailableError,
  KrakenUnknownPairError,
  KrakenUnreachableError,
} from '../../src/sources/kraken/kraken.errors';
import { RateLimiter, Timer } from '../../src/sources/kraken/rate-limiter';
import { FaultKind, KrakenTestServer } from '../kraken-test-server/kraken-test-server';
import { readFixtureJson } from '../kraken-test-server/fixture-market';

/** Virtual time: sleeping advances it at once, so rates and backoff are measured without waiting. */
class FakeTimer implements Timer {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

const NOW = '2023-01-07T09:30:00Z';
const HOUR = 3600;

function makeClient(
  server: KrakenTestServer,
  opts: Partial<KrakenClientOptions> & { rps?: number; burst?: number } = {},
  timer = new FakeTimer(),
): { client: KrakenClient; limiter: RateLimiter; timer: FakeTimer } {
  const limiter = new RateLimiter({ rps: opts.rps ?? 1000, burst: opts.burst ?? 1000 }, timer);
  const client = new KrakenClient(
    {
      baseUrl: server.url,
      timeoutMs: 5_000,
      maxRetries: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 10_000,
      random: () => 0.5,
      ...opts,
    },
    limiter,
    timer,
  );
  return { client, limiter, timer };
}

describe('KrakenClient against the Kraken test server', () => {
  let server: KrakenTestServer;
  const timer = new FakeTimer();

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    server = await KrakenTestServer.start({ now: NOW, clock: () => timer.now() });
  });
  afterAll(async () => {
    await server.close();
    Logger.overrideLogger(['log', 'error', 'warn']);
  });
  beforeEach(() => {
    server.resetCounters();
    server.clearFaults();
    server.clearOverrides();
  });

  describe('typed results', () => {
    it('Time and SystemStatus', async () => {
      const { client } = makeClient(server);
      expect(await client.serverTime()).toMatchObject({ unixtime: Date.parse(NOW) / 1000 });
      expect(await client.systemStatus()).toEqual({ status: 'online', timestamp: '2023-01-07T09:30:00.000Z' });
    });

    it('AssetPairs and Assets', async () => {
      const { client } = makeClient(server);
      const pairs = await client.assetPairs();
      expect(pairs).toHaveLength(26);
      expect(pairs.find((p) => p.key === 'XXBTZUSD')).toEqual({
        key: 'XXBTZUSD',
        altname: 'XBTUSD',
        wsname: 'XBT/USD',
        base: 'XXBT',
        quote: 'ZUSD',
        aclassBase: 'currency',
        aclassQuote: 'currency',
        status: 'online',
        pairDecimals: expect.any(Number),
        lotDecimals: expect.any(Number),
      });
      expect(pairs.filter((p) => p.status !== 'online')).toHaveLength(8);
      expect((await client.assetPairs(['XBT/USD'])).map((p) => p.key)).toEqual(['XXBTZUSD']);
      const assets = await client.assets();
      expect(assets.find((a) => a.key === 'XXDG')).toMatchObject({
        altname: 'XDG',
        aclass: 'currency',
        decimals: expect.any(Number),
      });
    });

    it('OHLC: parsed candles of the pair key, 720 at most, the newest open, `last` the newest committed', async () => {
      const { client } = makeClient(server);
      const page = await client.ohlc('XBTUSD', 60);
      expect(page.pairKey).toBe('XXBTZUSD');
      expect(page.candles).toHaveLength(720);
      const open = Math.floor(Date.parse(NOW) / 1000 / HOUR) * HOUR;
      expect(page.candles[page.candles.length - 1]!.ts).toBe(open);
      expect(page.candles[0]!.ts).toBe(open - 719 * HOUR);
      expect(page.last).toBe(open - HOUR);
      for (const c of page.candles) {
        expect(typeof c.close).toBe('number');
        expect(c.high).toBeGreaterThanOrEqual(c.low);
        expect(Number.isInteger(c.count)).toBe(true);
      }
      const newer = await client.ohlc('XBT/USD', 60, open - 3 * HOUR);
      expect(newer.candles.map((c) => c.ts)).toEqual([open - 2 * HOUR, open - HOUR, open]);
    });

    it('Trades: typed rows and a nanosecond cursor that pages without loss', async () => {
      const { client } = makeClient(server);
      const first = await client.trades('BCHEUR', '0');
      expect(first.trades).toHaveLength(634);
      expect(first.trades[0]).toMatchObject({
        price: 90.54,
        volume: 1.1044842,
        timeSec: 1672531436,
        side: expect.stringMatching(/^(buy|sell)$/),
        type: 'limit',
        tradeId: 1,
      });
      expect(first.last).toBe(first.trades[first.trades.length - 1]!.timeNs);
      const ns = first.trades.map((t) => BigInt(t.timeNs));
      expect(ns.every((n, i) => i === 0 || n > ns[i - 1]!)).toBe(true);
      const rest = await client.trades('BCHEUR', first.trades[99]!.timeNs);
      expect(rest.trades).toHaveLength(534);
      const done = await client.trades('BCHEUR', first.last);
      expect(done).toEqual({ pairKey: 'BCHEUR', trades: [], last: first.last });

      const recorded = await client.trades('XXBTZUSD');
      expect(recorded.trades).toHaveLength(1000);
      expect(recorded.trades[0]).toMatchObject({
        price: 19089.8,
        side: 'sell',
        type: 'limit',
        misc: '',
        tradeId: null,
        timeNs: '1607183031636700000',
      });
      server.setNow('2024-03-14T00:00:00Z');
      const ccxt = await client.trades('XBTUSDT').finally(() => server.setNow(NOW));
      expect(ccxt.trades[0]).toMatchObject({
        side: 'buy',
        type: 'market',
        tradeId: 6324366,
        timeNs: '1710327959173746878',
      });
    });

    it('Trades: a `last` sent as a JSON number keeps all its digits', async () => {
      server.override('Trades', () => ({
        status: 200,
        body: '{"error":[],"result":{"XXBTZUSD":[],"last":1607189546644797379}}',
      }));
      const { client } = makeClient(server);
      expect((await client.trades('XBTUSD', '1607189546644797000')).last).toBe('1607189546644797379');
    });

    it('OHLC: the recorded ccxt answer with `last` as a string', async () => {
      server.override('OHLC', () => readFixtureJson('api/ccxt_fetchOHLCV_XBTUSDT_1h_httpResponse.json'));
      const { client } = makeClient(server);
      const page = await client.ohlc('XBTUSDT', 60);
      expect(page.last).toBe(1706796000);
      expect(page.candles[0]).toEqual({
        ts: 1706626800,
        open: 43437.5,
        high: 43593.7,
        low: 43355.5,
        close: 43361.1,
        vwap: 43511.3,
        volume: 18.7543011,
        count: 162,
      });
    });

    it('Ticker and Depth', async () => {
      const { client } = makeClient(server);
      const t = await client.ticker('XBTUSD');
      expect(t).toMatchObject({
        pairKey: 'XXBTZUSD',
        ask: { price: 19107 },
        lastTrade: { price: 19107 },
        trades: { today: 12267 },
        open: 18655,
      });
      const derived = await client.ticker('ETHUSD');
      expect(derived.pairKey).toBe('XETHZUSD');
      expect(derived.lastTrade.price).toBeGreaterThan(0);
      const book = await client.depth('XXBTZUSD', 10);
      expect(book.asks).toHaveLength(10);
      expect(book.asks[0]).toEqual({ price: 19094, volume: 0.085, timestamp: 1607189946 });
      expect(book.bids[0]!.price).toBeLessThan(book.asks[0]!.price);
    });
  });

  describe('transient failures are retried with backoff', () => {
    const kinds: FaultKind[] = [
      'rate-limit',
      'too-many-requests',
      'http429',
      'http500',
      'unavailable',
      'busy',
      'truncated',
      'malformed',
      'reset',
      'hang',
    ];

    it.each(kinds)('%s twice, then the real answer', async (kind) => {
      const { client, timer } = makeClient(server, { timeoutMs: kind === 'hang' ? 300 : 5_000 });
      server.fault('OHLC', { kind, times: 2 });
      const page = await client.ohlc('XXBTZUSD', 60);
      expect(page.candles).toHaveLength(720);
      expect(server.requestCount('OHLC')).toBe(3);
      expect(server.seriesRequestCount('XBT/USD', 60)).toBe(3);
      expect(server.requests.map((r) => r.fault)).toEqual([kind, kind, undefined]);
      expect(client.apiCalls).toBe(3);
      expect(client.retries).toBe(2);
      // Exponential: 100 ms then 200 ms steps, equal jitter at random() = 0.5 → 75 and 150 ms.
      const backoff = timer.sleeps.filter((ms) => ms === 75 || ms === 150);
      expect(backoff).toEqual([75, 150]);
    });

    it('logs every retry with endpoint, pair, attempt and delay', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        const { client } = makeClient(server);
        server.fault('OHLC', { kind: 'unavailable' });
        await client.ohlc('XBTUSD', 1440);
        const messages = warn.mock.calls.map((c) => String(c[0]));
        expect(messages).toEqual([
          expect.stringMatching(
            /OHLC pair=XBTUSD interval=1440 attempt 1\/4 failed \(HTTP 503: EService:Unavailable\); retrying in 75 ms/,
          ),
        ]);
      } finally {
        warn.mockRestore();
      }
    });

    it('gives up after KRAKEN_MAX_RETRIES with a typed error (exit 1)', async () => {
      const { client } = makeClient(server, { maxRetries: 2 });
      server.fault('Trades', { kind: 'http500', times: 10 });
      const error = await client.trades('BCHEUR').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KrakenUnavailableError);
      expect(error).toMatchObject({ reason: 'http', attempts: 3 });
      expect((error as Error).message).toContain('HTTP 500');
      expect(exitCodeFor(error)).toBe(1);
      expect(server.requestCount('Trades')).toBe(3);
    });

    it(
      'network failures in a row, across requests, make Kraken unreachable (KRAKEN_UNREACHABLE_AFTER); ' +
        'any HTTP answer resets the count',
      async () => {
        const { client } = makeClient(server, { maxRetries: 1, unreachableAfter: 3 });
        server.fault('OHLC', { kind: 'reset', times: 2 });
        // 2 in a row
        expect(await client.ohlc('XXBTZUSD', 60).catch((e: unknown) => e)).toBeInstanceOf(KrakenUnavailableError);
        server.fault('OHLC', { kind: 'reset', times: 10 });
        const error = await client.ohlc('XXBTZUSD', 60).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(KrakenUnreachableError); // the 3rd, in the next request: no retry of it
        expect(error).toMatchObject({ code: 'KRAKEN_UNREACHABLE', failures: 3, url: server.url });
        expect(exitCodeFor(error)).toBe(1);
        expect(server.requestCount('OHLC')).toBe(3);

        server.clearFaults();
        server.resetCounters();
        const fresh = makeClient(server, { maxRetries: 5, unreachableAfter: 2 }).client;
        server.fault('OHLC', { kind: 'reset', times: 1 });
        expect((await fresh.ohlc('XXBTZUSD', 60)).candles).toHaveLength(720); // answered: the count starts again
        server.fault('OHLC', { kind: 'http500', times: 10 });
        // HTTP errors are answers
        expect(await fresh.ohlc('XXBTZUSD', 60).catch((e: unknown) => e)).toBeInstanceOf(KrakenUnavailableError);
        expect(server.requestCount('OHLC')).toBe(2 + 6);
      },
    );

    it(
      'per-endpoint timeouts and retries (KRAKEN_ENDPOINT_TIMEOUTS_MS, KRAKEN_ENDPOINT_RETRIES) ' +
        'bound a hang on that endpoint only',
      async () => {
        const { client } = makeClient(server, {
          maxRetries: 3,
          timeoutMs: 5_000,
          endpoints: { Trades: { timeoutMs: 150, maxRetries: 1 } },
        });
        server.fault('Trades', { kind: 'hang', times: 10 });
        const error = await client.trades('XXBTZUSD').catch((e: unknown) => e);
        expect(error).toMatchObject({ reason: 'timeout', attempts: 2 });
        expect((error as Error).message).toContain('no answer within 150 ms');
        expect(server.requestCount('Trades')).toBe(2);
        server.fault('OHLC', { kind: 'http500', times: 3 });
        // the defaults still apply elsewhere: 3 retries
        expect((await client.ohlc('XXBTZUSD', 60)).candles).toHaveLength(720);
        expect(server.requestCount('OHLC')).toBe(4);
      },
    );

    it('a request that never answers times out after KRAKEN_TIMEOUT_MS', async () => {
      const { client } = makeClient(server, { maxRetries: 0, timeoutMs: 200 });
      server.fault('Time', { kind: 'hang' });
      const error = await client.serverTime().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KrakenUnavailableError);
      expect(error).toMatchObject({ reason: 'timeout', attempts: 1 });
      expect((error as Error).message).toContain('no answer within 200 ms');
      expect(server.requests.map((r) => r.fault)).toEqual(['hang']);
    });
  });

  describe('permanent errors are not retried', () => {
    it("EQuery:Unknown asset pair → KrakenUnknownPairError with Kraken's message, one request", async () => {
      const { client } = makeClient(server);
      const error = await client.ohlc('NOPEUSD', 60).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KrakenUnknownPairError);
      expect((error as Error).message).toContain('EQuery:Unknown asset pair');
      expect(exitCodeFor(error)).toBe(2);
      expect(server.requestCount()).toBe(1);
    });

    it.each(['EGeneral:Invalid arguments', 'EQuery:Invalid asset pair', 'EGeneral:Permission denied'])(
      '%s → KrakenApiError, one request',
      async (message) => {
        const { client } = makeClient(server);
        server.fault('OHLC', { kind: 'error', message, times: 5 });
        const error = await client.ohlc('XBTUSD', 60).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(KrakenApiError);
        expect((error as KrakenApiError).krakenErrors).toEqual([message]);
        expect((error as Error).message).toContain(message);
        expect(server.requestCount('OHLC')).toBe(1);
      },
    );

    it("an invalid interval is Kraken's EGeneral:Invalid arguments", async () => {
      const { client } = makeClient(server);
      await expect(client.ohlc('XBTUSD', 7)).rejects.toThrow('EGeneral:Invalid arguments');
      expect(server.requestCount()).toBe(1);
    });
  });

  describe('malformed payloads are rejected with KrakenResponseError, not retried', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'a price that is not a number',
        { error: [], result: { XXBTZUSD: [[1672531200, 'abc', '1', '1', '1', '1', '1', 1]], last: 1 } },
        'result["XXBTZUSD"][0][1]',
      ],
      [
        'a short candle row',
        { error: [], result: { XXBTZUSD: [[1672531200, '1', '1']], last: 1 } },
        'array of at least 8',
      ],
      ['no `last`', { error: [], result: { XXBTZUSD: [] } }, 'result["last"]'],
      ['two pair keys', { error: [], result: { XXBTZUSD: [], XETHZUSD: [], last: 1 } }, 'exactly one pair key'],
      ['rows that are not a list', { error: [], result: { XXBTZUSD: 'nope', last: 1 } }, 'should be an array'],
      ['no result at all', { error: [] }, 'neither errors nor a result'],
      ['errors that are not strings', { error: [42], result: {} }, '"error" should be a list of strings'],
    ];

    it.each(cases)('%s', async (_name, body, expected) => {
      server.override('OHLC', () => body);
      const { client } = makeClient(server);
      const error = await client.ohlc('XBTUSD', 60).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KrakenResponseError);
      expect((error as Error).message).toContain(expected);
      expect(server.requestCount('OHLC')).toBe(1);
    });

    it('an unknown trade side', async () => {
      server.override('Trades', () => ({
        error: [],
        result: { XXBTZUSD: [['1', '1', 1.5, 'x', 'l', '']], last: '1' },
      }));
      const { client } = makeClient(server);
      await expect(client.trades('XBTUSD')).rejects.toThrow(/result\["XXBTZUSD"\]\[0\]\[3\] should be one of b, s/);
    });
  });

  describe('rate limiting', () => {
    /** Requests per second over every 1-second window starting at a request. */
    function maxPerSecond(stamps: number[]): number {
      return Math.max(...stamps.map((t) => stamps.filter((u) => u >= t && u < t + 1000).length));
    }

    it('sequential requests respect KRAKEN_RPS (injected clock)', async () => {
      const t = new FakeTimer();
      const local = await KrakenTestServer.start({ now: NOW, clock: () => t.now() });
      try {
        const { client } = makeClient(local, { rps: 2, burst: 1 }, t);
        for (let i = 0; i < 10; i++) await client.serverTime();
        const stamps = local.requests.map((r) => r.at);
        expect(stamps).toHaveLength(10);
        expect(maxPerSecond(stamps)).toBe(2);
        expect(stamps[9]! - stamps[0]!).toBeGreaterThanOrEqual(4500);
      } finally {
        await local.close();
      }
    });

    it('concurrent requests queue for tokens; a burst is allowed after idling', async () => {
      const t = new FakeTimer();
      const local = await KrakenTestServer.start({ now: NOW, clock: () => t.now() });
      try {
        const { client, limiter } = makeClient(local, { rps: 1, burst: 3 }, t);
        // Concurrent callers: stamp the virtual time at which the limiter releases each request.
        const released: number[] = [];
        const acquire = limiter.acquire.bind(limiter);
        jest.spyOn(limiter, 'acquire').mockImplementation(() => acquire().then(() => void released.push(t.now())));
        await Promise.all(Array.from({ length: 9 }, () => client.serverTime()));
        expect(local.requestCount('Time')).toBe(9);
        const stamps = released.sort((a, b) => a - b);
        expect(stamps.slice(0, 3)).toEqual([0, 0, 0]);
        expect(stamps.slice(3).every((s, i) => s >= (i + 1) * 1000 - 1)).toBe(true);
        expect(stamps[8]! - stamps[0]!).toBeGreaterThanOrEqual(5999);
      } finally {
        await local.close();
      }
    });

    it('rate-limit answers slow the bucket down; successes restore it gradually', async () => {
      const t = new FakeTimer();
      const local = await KrakenTestServer.start({ now: NOW, clock: () => t.now() });
      try {
        const { client, limiter } = makeClient(local, { rps: 4, burst: 1, backoffBaseMs: 10 }, t);
        local.fault('Time', { kind: 'rate-limit', times: 2 });
        await client.serverTime();
        // 4 → 2 → 1 req/s, and the answer that succeeded already gave back a tenth of KRAKEN_RPS.
        expect(limiter.currentRate).toBeCloseTo(1.4);
        const before = limiter.currentRate;
        local.resetCounters();
        for (let i = 0; i < 4; i++) await client.serverTime();
        expect(limiter.currentRate).toBeGreaterThan(before);
        expect(limiter.currentRate).toBeLessThan(4);
        const slowGaps = local.requests.slice(1).map((r, i) => r.at - local.requests[i]!.at);
        expect(slowGaps.every((g) => g > 250)).toBe(true);
        for (let i = 0; i < 40; i++) await client.serverTime();
        expect(limiter.currentRate).toBe(4);
      } finally {
        await local.close();
      }
    });
  });
});
