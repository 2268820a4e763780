import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRAKEN_API_FIXTURES } from '../../../test/helpers/fixtures';
import { KrakenResponseError } from './kraken.errors';
import {
  parseAssetPairs,
  parseAssets,
  parseDepth,
  parseOhlc,
  parseServerTime,
  parseTicker,
  parseTrades,
  quoteLongCursors,
  secondsToNs,
} from './kraken.parsers';

const API = KRAKEN_API_FIXTURES;
const result = (file: string): unknown =>
  (JSON.parse(quoteLongCursors(readFileSync(join(API, file), 'utf8'))) as { result: unknown }).result;

describe('Kraken response parsers on the recorded real responses', () => {
  it.each(readdirSync(API).filter((f) => f.startsWith('ohlc_')))('%s', (file) => {
    const page = parseOhlc(result(file));
    const [, pairKey, interval] = /^ohlc_([A-Z]+)_(\d+)m_/.exec(file)!;
    expect(page.pairKey).toBe(pairKey);
    expect(page.candles.length).toBeGreaterThan(0);
    // Kraken documents "up to 720"; the 2025 recording holds 721 rows: 720 committed candles and the open one.
    expect(page.candles.length).toBeLessThanOrEqual(721);
    const bad = page.candles.filter(
      (c) =>
        c.ts % (Number(interval) * 60) !== 0 ||
        ![c.open, c.high, c.low, c.close, c.vwap, c.volume, c.count].every(Number.isFinite),
    );
    expect(bad).toEqual([]);
    // `last` is the newest committed candle: the one before the open (last) entry.
    expect(page.last).toBe(page.candles[page.candles.length - 2]!.ts);
  });

  it('the 2020 Trades answer: 6-field rows, `last` as a string cursor', () => {
    const page = parseTrades(result('trades_XXBTZUSD_2020-12-05.json'));
    expect(page.pairKey).toBe('XXBTZUSD');
    expect(page.trades).toHaveLength(1000);
    expect(page.trades[0]).toEqual({
      price: 19089.8,
      volume: 0.001,
      timeSec: 1607183031.6367,
      timeNs: '1607183031636700000',
      side: 'sell',
      type: 'limit',
      misc: '',
      tradeId: null,
    });
    expect(page.last).toBe('1607189546644797379');
  });

  it('the ccxt Trades answer: 8-field rows with trade id and exact nanoseconds', () => {
    const page = parseTrades(result('ccxt_fetchTrades_XBTUSDT_httpResponse.json'));
    expect(page.trades).toEqual([
      {
        price: 73324.4,
        volume: 0.010309,
        timeSec: 1710327959.1733468,
        timeNs: '1710327959173746878',
        side: 'buy',
        type: 'market',
        misc: '',
        tradeId: 6324366,
      },
    ]);
    expect(page.last).toBe('1710327959173746878');
  });

  it('Depth, Ticker, Time, Assets and every AssetPairs listing', () => {
    const book = parseDepth(result('depth_XXBTZUSD_count100_2020-12-05.json'));
    expect(book.asks).toHaveLength(100);
    expect(book.bids).toHaveLength(100);
    expect(parseTicker(result('ticker_XXBTZUSD_2020-12-05.json'))).toMatchObject({
      pairKey: 'XXBTZUSD',
      bid: { price: 19106.9, wholeLotVolume: 1, lotVolume: 1 },
      volume: { today: 1912.05820234, last24h: 3474.48744316 },
      trades: { today: 12267, last24h: 20848 },
    });
    expect(parseServerTime(result('time_2020-01-01.json'))).toEqual({
      unixtime: 1577873240,
      rfc1123: 'Wed,  1 Jan 20 10:07:20 +0000',
    });
    expect(parseAssets(result('assets_asset-XBT_2020.json'))).toEqual([
      { key: 'XXBT', altname: 'XBT', aclass: 'currency', decimals: 10, displayDecimals: 5, status: null },
    ]);
    for (const file of readdirSync(API).filter((f) => f.startsWith('assetpairs_'))) {
      const pairs = parseAssetPairs(result(file));
      expect(pairs.length).toBeGreaterThan(0);
    }
    const legacy = parseAssetPairs(result('assetpairs_legacy_2014.json'));
    expect(legacy.find((p) => p.key === 'XXBTZUSD')).toMatchObject({ wsname: null, status: null });
  });

  it('names the endpoint and path of an unexpected shape', () => {
    expect(() => parseAssetPairs({ XXBTZUSD: { altname: 'XBTUSD' } })).toThrow(KrakenResponseError);
    expect(() => parseAssetPairs({ XXBTZUSD: { altname: 'XBTUSD' } })).toThrow(
      'Kraken AssetPairs: unexpected response: result["XXBTZUSD"]["base"] should be a string, got nothing',
    );
    expect(() => parseOhlc({ XXBTZUSD: [[1, '1', '1', '1', '1', '1', '', 1]], last: 0 })).toThrow(
      'result["XXBTZUSD"][0][6] should be a number or decimal string',
    );
  });
});

describe('secondsToNs / quoteLongCursors', () => {
  it.each([
    [1607183031.6367, '1607183031636700000'],
    [1672531436, '1672531436000000000'],
    [1672531200.000001, '1672531200000001000'],
    [1710327959.1733468, '1710327959173346800'],
  ])('%d s → %s ns', (s, ns) => {
    expect(secondsToNs(s)).toBe(ns);
  });

  it('quotes long numeric `last` values only', () => {
    expect(quoteLongCursors('{"last":1607189546644797379,"x":1}')).toBe('{"last":"1607189546644797379","x":1}');
    expect(quoteLongCursors('{"last": 1607184000}')).toBe('{"last": 1607184000}');
  });
});
