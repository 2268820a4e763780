import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRAKEN_API_FIXTURES } from '../../../test/helpers/fixtures';
import { exitCodeFor } from '../../common/error-map';
import { krakenAsset, parseSymbol, standardAsset, standardSymbol, toKrakenPair, UnknownSymbolError } from './symbols';

const FIXTURES = KRAKEN_API_FIXTURES;

interface FixturePair {
  altname: string;
  wsname?: string;
  base: string;
  quote: string;
}

function fixturePairs(): Array<{ file: string; key: string; pair: FixturePair }> {
  const files = readdirSync(FIXTURES).filter((f) => f.startsWith('assetpairs_'));
  return files.flatMap((file) => {
    const body = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { result: Record<string, FixturePair> };
    return Object.entries(body.result).map(([key, pair]) => ({ file, key, pair }));
  });
}

describe('standardAsset / krakenAsset', () => {
  it.each([
    ['XXBT', 'BTC'],
    ['XBT', 'BTC'],
    ['XXDG', 'DOGE'],
    ['XDG', 'DOGE'],
    ['ZUSD', 'USD'],
    ['ZEUR', 'EUR'],
    ['XETH', 'ETH'],
    ['XXRP', 'XRP'],
    ['XTZ', 'XTZ'],
    ['ZEUS', 'ZEUS'],
    ['usdt', 'USDT'],
    ['CHF', 'CHF'],
  ])('%s → %s', (kraken, standard) => {
    expect(standardAsset(kraken)).toBe(standard);
  });

  it('maps standard codes back to the codes Kraken uses', () => {
    expect(krakenAsset('BTC')).toBe('XBT');
    expect(krakenAsset('doge')).toBe('XDG');
    expect(krakenAsset('ETH')).toBe('ETH');
  });
});

describe('parseSymbol', () => {
  it.each([
    ['XXBTZUSD', 'BTC-USD-SPOT'],
    ['XBTUSD', 'BTC-USD-SPOT'],
    ['XBT/USD', 'BTC-USD-SPOT'],
    ['BTC-USD-SPOT', 'BTC-USD-SPOT'],
    ['btc-usd', 'BTC-USD-SPOT'],
    ['btcusd', 'BTC-USD-SPOT'],
    [' xbt/usd ', 'BTC-USD-SPOT'],
    ['XDGUSD', 'DOGE-USD-SPOT'],
    ['XXDGXXBT', 'DOGE-BTC-SPOT'],
    ['XDG/XBT', 'DOGE-BTC-SPOT'],
    ['XBTUSDT', 'BTC-USDT-SPOT'],
    ['XBTUSDC', 'BTC-USDC-SPOT'],
    ['USDTZUSD', 'USDT-USD-SPOT'],
    ['USDTUSD', 'USDT-USD-SPOT'],
    ['USDCUSDT', 'USDC-USDT-SPOT'],
    ['XTZUSD', 'XTZ-USD-SPOT'],
    ['XTZXBT', 'XTZ-BTC-SPOT'],
    ['XETHXXBT', 'ETH-BTC-SPOT'],
    ['ETHXBT', 'ETH-BTC-SPOT'],
    ['XXBTEUROP', 'BTC-EUROP-SPOT'],
    ['XBTCHF', 'BTC-CHF-SPOT'],
    ['ZEURZUSD', 'EUR-USD-SPOT'],
    ['EURUSD', 'EUR-USD-SPOT'],
    ['0GUSD', '0G-USD-SPOT'],
    ['1INCHUSD', '1INCH-USD-SPOT'],
    ['LUNA2USD', 'LUNA2-USD-SPOT'],
    ['BONKUSD', 'BONK-USD-SPOT'],
    ['STORJUSD', 'STORJ-USD-SPOT'],
    ['XBTNMC', 'BTC-NMC-SPOT'],
    ['EURXVN', 'EUR-XVN-SPOT'],
    ['XXBTZUSD.d', 'BTC-USD-DARKPOOL'],
    ['XBTUSD.d', 'BTC-USD-DARKPOOL'],
    ['BTC-USD-DARKPOOL', 'BTC-USD-DARKPOOL'],
  ])('%s → %s', (name, symbol) => {
    expect(parseSymbol(name).symbol).toBe(symbol);
  });

  it('returns base, quote and instrument type separately', () => {
    expect(parseSymbol('XXBTZUSD')).toEqual({
      symbol: 'BTC-USD-SPOT',
      base: 'BTC',
      quote: 'USD',
      instrumentType: 'SPOT',
    });
  });

  it.each(['', 'BTC', 'USD', 'BTC/USD/EUR', 'BTC-USD-FUTURE', 'XBT USD', 'XBT/', '/USD', 'ABCDEFG', '--'])(
    'rejects %j with UnknownSymbolError (usage: exit 2)',
    (name) => {
      let caught: unknown;
      try {
        parseSymbol(name);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UnknownSymbolError);
      expect((caught as UnknownSymbolError).message).toContain(JSON.stringify(name));
      expect(exitCodeFor(caught)).toBe(2);
    },
  );

  describe('every pair of the recorded AssetPairs responses', () => {
    const pairs = fixturePairs();

    it('covers all recorded listings', () => {
      // Every recorded AssetPairs file contributes pairs.
      const files = readdirSync(FIXTURES).filter((f) => f.startsWith('assetpairs_'));
      expect(files.length).toBeGreaterThanOrEqual(6);
      expect(new Set(pairs.map((p) => p.file)).size).toBe(files.length);
      expect(pairs.length).toBeGreaterThan(450);
    });

    it('standardizes pair key, altname and wsname to the symbol of its base and quote', () => {
      const mismatches: string[] = [];
      for (const { file, key, pair } of pairs) {
        const expected = standardSymbol(pair.base, pair.quote, key.endsWith('.d') ? 'DARKPOOL' : 'SPOT');
        for (const name of [key, pair.altname, pair.wsname].filter((n): n is string => Boolean(n))) {
          const got = parseSymbol(name).symbol;
          if (got !== expected) mismatches.push(`${file} ${key}: ${name} → ${got}, expected ${expected}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('maps every standard symbol back to a name that parses to the same symbol', () => {
      for (const { key, pair } of pairs) {
        const symbol = standardSymbol(pair.base, pair.quote, key.endsWith('.d') ? 'DARKPOOL' : 'SPOT');
        expect(parseSymbol(toKrakenPair(symbol)).symbol).toBe(symbol);
      }
    });
  });
});

describe('toKrakenPair', () => {
  it.each([
    ['BTC-USD-SPOT', 'XBTUSD'],
    ['XXBTZUSD', 'XBTUSD'],
    ['XBT/USD', 'XBTUSD'],
    ['DOGE-USD-SPOT', 'XDGUSD'],
    ['ETH-BTC-SPOT', 'ETHXBT'],
    ['USDT-USD-SPOT', 'USDTUSD'],
    ['BTC-EUR-DARKPOOL', 'XBTEUR.d'],
  ])('%s → %s', (symbol, name) => {
    expect(toKrakenPair(symbol)).toBe(name);
  });

  it('throws UnknownSymbolError for what it cannot parse', () => {
    expect(() => toKrakenPair('nonsense!')).toThrow(UnknownSymbolError);
  });
});
