import { exitCodeFor } from '../common/error-map';
import { KRAKEN_SYMBOLS } from '../sources/kraken/kraken-symbols';
import { formatStandardSymbol, parseSymbol as parse, UnknownSymbolError } from './standard-symbol';

const parseSymbol = (name: string) => parse(name, KRAKEN_SYMBOLS);

describe('formatStandardSymbol', () => {
  it('writes BASE-QUOTE-TYPE', () => {
    expect(formatStandardSymbol({ base: 'BTC', quote: 'USD', instrumentType: 'SPOT' })).toBe('BTC-USD-SPOT');
    expect(formatStandardSymbol({ base: 'BTC', quote: 'EUR', instrumentType: 'DARKPOOL' })).toBe('BTC-EUR-DARKPOOL');
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

  it.each(['', 'BTC', 'USD', 'BTC/USD/EUR', 'BTC-USD-FUTURE', 'XBT USD', 'XBT/', '/USD', 'ABCDEFG', '--', 'nonsense!'])(
    'rejects %j with UnknownSymbolError (not_found: exit 2, HTTP 404)',
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
});
