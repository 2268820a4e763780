import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

/** The test server itself: later issues rely on its OHLC window, Trades paging, faults and counters. */
describe('KrakenTestServer', () => {
  let server: KrakenTestServer;
  const get = async (
    path: string,
  ): Promise<{ status: number; body: { error: string[]; result: Record<string, unknown> } }> => {
    const res = await fetch(`${server.url}/0/public/${path}`);
    return { status: res.status, body: (await res.json()) as { error: string[]; result: Record<string, unknown> } };
  };

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: '2023-01-07T09:30:00Z' });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.setNow('2023-01-07T09:30:00Z');
    server.resetCounters();
    server.clearFaults();
    server.clearOverrides();
  });

  it('accepts pair key, altname and wsname, answering under the pair key', async () => {
    for (const name of ['XXBTZUSD', 'XBTUSD', 'XBT/USD', 'xbtusd']) {
      const { body } = await get(`OHLC?pair=${encodeURIComponent(name)}&interval=1440`);
      expect(Object.keys(body.result)).toEqual(['XXBTZUSD', 'last']);
    }
    expect(server.seriesRequestCount('XBT/USD', 1440)).toBe(4);
    expect((await get('OHLC?pair=NOPE&interval=60')).body.error).toEqual(['EQuery:Unknown asset pair']);
  });

  it('OHLC: the 720-candle window ending with the open candle, `since` exclusive for committed candles', async () => {
    const day = 86_400;
    const open = Math.floor(Date.parse('2023-01-07T09:30:00Z') / 1000 / day) * day;
    const all = (await get('OHLC?pair=XBTUSD&interval=1440')).body.result;
    const rows = all.XXBTZUSD as unknown[][];
    expect(rows).toHaveLength(720);
    expect(rows[0]![0]).toBe(open - 719 * day);
    expect(rows[719]![0]).toBe(open);
    expect(all.last).toBe(open - day);
    expect(rows[0]).toHaveLength(8);

    const since = (await get(`OHLC?pair=XBTUSD&interval=1440&since=${open - 2 * day}`)).body.result;
    expect((since.XXBTZUSD as unknown[][]).map((r) => r[0])).toEqual([open - day, open]);
    const atLast = (await get(`OHLC?pair=XBTUSD&interval=1440&since=${open - day}`)).body.result;
    expect((atLast.XXBTZUSD as unknown[][]).map((r) => r[0])).toEqual([open]);
  });

  it(
    'OHLC: like Kraken, a slot without a sample candle (the open one too) ' +
      'is a count-0 candle at the previous close',
    async () => {
      server.setNow('2025-06-01T00:00:00Z');
      const rows = (await get('OHLC?pair=XBTUSD&interval=1440')).body.result.XXBTZUSD as unknown[][];
      const day = 86_400;
      const lastSample = Date.parse('2025-03-31T00:00:00Z') / 1000;
      const sampled = rows.find((r) => r[0] === lastSample)!;
      const after = rows.filter((r) => (r[0] as number) > lastSample);
      // 2025-04-01 .. 2025-06-01 (the open one): 62 slots, each flat at the last close, no volume,
      // no trade (vwap "0.0" as Kraken sends).
      expect(after.map((r) => r[0])).toEqual(Array.from({ length: 62 }, (_, i) => lastSample + (i + 1) * day));
      for (const r of after)
        expect(r.slice(1)).toEqual([sampled[4], sampled[4], sampled[4], sampled[4], '0.0', '0.00000000', 0]);
    },
  );

  it('OHLC: no candle opens after now', async () => {
    server.setNow('2022-12-01T12:00:00Z');
    const rows = (await get('OHLC?pair=XBTUSD&interval=60')).body.result.XXBTZUSD as unknown[][];
    expect(rows[rows.length - 1]![0]).toBe(Date.parse('2022-12-01T12:00:00Z') / 1000);
  });

  it(
    'Trades: newest 1000 without since; pages of 1000 after a nanosecond (or second) cursor; ' + 'nothing after now',
    async () => {
      const newest = (await get('Trades?pair=XBTUSD')).body.result;
      expect(newest.XXBTZUSD as unknown[]).toHaveLength(1000);
      const bySeconds = (await get('Trades?pair=BCHEUR&since=1672531436')).body.result;
      expect((bySeconds.BCHEUR as unknown[][])[0]![0]).toBe('90.450000');
      server.setNow('2023-01-01T23:59:59Z');
      const firstDay = (await get('Trades?pair=BCHEUR&since=0')).body.result;
      expect(firstDay.BCHEUR as unknown[]).toHaveLength(148);
      const after = (await get(`Trades?pair=BCHEUR&since=${firstDay.last as string}`)).body.result;
      expect(after).toEqual({ BCHEUR: [], last: firstDay.last });
    },
  );

  it('faults are served in order, then real answers; counters record them', async () => {
    server.fault('Time', { kind: 'http429' }).fault('Time', { kind: 'unavailable', times: 2 });
    expect((await fetch(`${server.url}/0/public/Time`)).status).toBe(429);
    expect((await get('Time')).status).toBe(503);
    expect((await get('Time')).body.error).toEqual(['EService:Unavailable']);
    expect((await get('Time')).body.result).toEqual({ unixtime: 1673083800, rfc1123: 'Sat, 07 Jan 2023 09:30:00 GMT' });
    expect(server.requests.map((r) => r.fault)).toEqual(['http429', 'unavailable', 'unavailable', undefined]);
    expect(server.requestCount('Time')).toBe(4);
    expect(server.requestCount('OHLC')).toBe(0);
    server.fault('Assets', { kind: 'truncated' });
    const text = await (await fetch(`${server.url}/0/public/Assets`)).text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it("overrides replace an endpoint's answer", async () => {
    const listing = server.fixtureResult('AssetPairs');
    expect(Object.keys(listing)).toHaveLength(26);
    delete listing.XXBTZUSD;
    server.override('AssetPairs', () => ({ error: [], result: listing }));
    expect(Object.keys((await get('AssetPairs')).body.result)).toHaveLength(25);
    server.clearOverrides();
    expect(Object.keys((await get('AssetPairs')).body.result)).toHaveLength(26);
  });
});
