import { ConfigError } from '../common/errors';
import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: undefined,
      candleStore: 'postgres',
      krakenApiUrl: 'https://api.kraken.com',
      krakenRps: 1,
      tradesBackfill: true,
      schedulesEnabled: true,
      pinnedNow: undefined,
      logLevel: 'info',
      port: 3000,
    });
  });

  it('parses typed values', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h:5432/db',
      CANDLE_STORE: 'questdb',
      KRAKEN_RPS: '2.5',
      TRADES_BACKFILL: 'off',
      SCHEDULES_ENABLED: 'false',
      CANDLEKEEP_NOW: '2026-01-02T03:04:05Z',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c.databaseUrl).toBe('postgres://u@h:5432/db');
    expect(c.candleStore).toBe('questdb');
    expect(c.krakenRps).toBe(2.5);
    expect(c.tradesBackfill).toBe(false);
    expect(c.schedulesEnabled).toBe(false);
    expect(c.pinnedNow?.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(c.logLevel).toBe('debug');
  });

  it.each([
    ['KRAKEN_RPS', 'fast'],
    ['KRAKEN_RPS', '0'],
    ['CANDLE_STORE', 'sqlite'],
    ['TRADES_BACKFILL', 'maybe'],
    ['CANDLEKEEP_NOW', 'tomorrow'],
    ['CANDLEKEEP_NOW', '2026-01-02T03:04:05'],
    ['DATABASE_URL', 'mysql://x'],
    ['KRAKEN_API_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['PORT', '99999'],
  ])('rejects %s=%s naming the variable and the value', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`${variable}=${JSON.stringify(value)}`);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual([variable]);
  });
});
