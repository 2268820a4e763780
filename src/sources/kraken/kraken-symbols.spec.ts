import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KRAKEN_API_FIXTURES } from '../../../test/helpers/fixtures';
import { InstrumentType, StandardSymbolParts } from '../standard-symbol-parts';
import { krakenAsset, parseKrakenPair, standardAsset, toKrakenPair } from './kraken-symbols';

const FIXTURES = KRAKEN_API_FIXTURES;

interface FixturePair {
  altname: string;
  wsname?: string;
  base: string;
  quote: string;
}

/** The standard parts of a listed pair, from its base and quote asset keys. */
function expectedParts(key: string, pair: FixturePair): StandardSymbolParts {
  const instrumentType: InstrumentType = key.endsWith('.d') ? 'DARKPOOL' : 'SPOT';
  return { base: standardAsset(pair.base), quote: standardAsset(pair.quote), instrumentType };
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

describe('parseKrakenPair', () => {
  describe('every pair of the recorded AssetPairs responses', () => {
    const pairs = fixturePairs();

    it('covers all recorded listings', () => {
      // Every recorded AssetPairs file contributes pairs.
      const files = readdirSync(FIXTURES).filter((f) => f.startsWith('assetpairs_'));
      expect(files.length).toBeGreaterThanOrEqual(6);
      expect(new Set(pairs.map((p) => p.file)).size).toBe(files.length);
      expect(pairs.length).toBeGreaterThan(450);
    });

    it('standardizes pair key, altname and wsname to the parts of its base and quote', () => {
      const mismatches: string[] = [];
      for (const { file, key, pair } of pairs) {
        const expected = JSON.stringify(expectedParts(key, pair));
        for (const name of [key, pair.altname, pair.wsname].filter((n): n is string => Boolean(n))) {
          const got = JSON.stringify(parseKrakenPair(name));
          if (got !== expected) mismatches.push(`${file} ${key}: ${name} → ${got}, expected ${expected}`);
        }
      }
      expect(mismatches).toEqual([]);
    });

    it('maps every standard pair back to a name that parses to the same pair', () => {
      for (const { key, pair } of pairs) {
        const parts = expectedParts(key, pair);
        expect(parseKrakenPair(toKrakenPair(parts))).toEqual(parts);
      }
    });
  });
});

describe('toKrakenPair', () => {
  const spot = (base: string, quote: string): StandardSymbolParts => ({ base, quote, instrumentType: 'SPOT' });

  it.each([
    [spot('BTC', 'USD'), 'XBTUSD'],
    [spot('DOGE', 'USD'), 'XDGUSD'],
    [spot('ETH', 'BTC'), 'ETHXBT'],
    [spot('USDT', 'USD'), 'USDTUSD'],
    [{ base: 'BTC', quote: 'EUR', instrumentType: 'DARKPOOL' } as const, 'XBTEUR.d'],
  ])('%o → %s', (parts, name) => {
    expect(toKrakenPair(parts)).toBe(name);
  });

  it.each(['XXBTZUSD', 'XBT/USD'])('names a pair parsed from %s by its altname, XBTUSD', (name) => {
    expect(toKrakenPair(parseKrakenPair(name)!)).toBe('XBTUSD');
  });

  it('parses nothing from what is not a Kraken name', () => {
    expect(parseKrakenPair('nonsense!')).toBeNull();
    expect(parseKrakenPair('BTC')).toBeNull();
  });
});
