import { KRAKEN_CAPABILITIES as kraken } from '../sources/kraken/kraken-capabilities';
import { parseArchiveMemberName } from './archive-name';

describe('parseArchiveMemberName', () => {
  it('maps PAIR_INTERVAL.csv to pair, interval and standard symbol, in any folder', () => {
    expect(parseArchiveMemberName(kraken, 'XBTUSD_60.csv')).toMatchObject({
      exchange: 'kraken',
      pair: 'XBTUSD',
      intervalMinutes: 60,
      standard: { symbol: 'BTC-USD-SPOT' },
    });
    expect(parseArchiveMemberName(kraken, 'Kraken_OHLCVT/ETHUSD_1440.csv')).toMatchObject({
      pair: 'ETHUSD',
      intervalMinutes: 1440,
      standard: { symbol: 'ETH-USD-SPOT' },
    });
    expect(parseArchiveMemberName(kraken, '/data/q1/xbtcad_720.CSV')).toMatchObject({
      pair: 'XBTCAD',
      intervalMinutes: 720,
      standard: { symbol: 'BTC-CAD-SPOT' },
    });
  });

  it('returns null for names without an interval, with an unknown interval, or not csv', () => {
    expect(parseArchiveMemberName(kraken, 'BCHEUR.csv')).toBeNull();
    expect(parseArchiveMemberName(kraken, 'XBTUSD_7.csv')).toBeNull();
    expect(parseArchiveMemberName(kraken, 'XBTUSD_60.txt')).toBeNull();
    expect(parseArchiveMemberName(kraken, 'XBT-USD_60.csv')).toBeNull();
    expect(parseArchiveMemberName(kraken, '_60.csv')).toBeNull();
  });
});
