import { ConfigError } from '../common/errors';
import { loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      database: { url: undefined },
      candleStore: 'postgres',
      kraken: { apiUrl: 'https://api.kraken.com', rps: 1 },
      backfill: { fromTrades: true },
      schedules: { enabled: true },
      pinnedNow: undefined,
      logLevel: 'info',
      server: { port: 3000 },
    });
  });

  it('parses typed values', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h:5432/db',
      CANDLE_STORE: 'questdb',
      QUESTDB_ILP: 'http::addr=127.0.0.1:9000;',
      QUESTDB_PG_URL: 'postgres://admin:quest@127.0.0.1:8812/qdb',
      QUESTDB_BATCH_ROWS: '1000',
      KRAKEN_RPS: '2.5',
      TRADES_BACKFILL: 'off',
      SCHEDULES_ENABLED: 'false',
      CANDLEKEEP_NOW: '2026-01-02T03:04:05Z',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c.database.url).toBe('postgres://u@h:5432/db');
    expect(c.candleStore).toBe('questdb');
    expect(c.questdb.ilp).toBe('http::addr=127.0.0.1:9000;');
    expect(c.questdb.pgUrl).toBe('postgres://admin:quest@127.0.0.1:8812/qdb');
    expect(c.questdb.batchRows).toBe(1000);
    expect(c.questdb.visibilityTimeoutMs).toBe(30_000);
    expect(c.kraken.rps).toBe(2.5);
    expect(c.backfill.fromTrades).toBe(false);
    expect(c.schedules.enabled).toBe(false);
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
    ['QUESTDB_PG_URL', 'http://127.0.0.1:8812'],
    ['QUESTDB_BATCH_ROWS', '0'],
    ['QUESTDB_VISIBILITY_TIMEOUT_MS', 'soon'],
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

  it('CANDLE_STORE=questdb requires QUESTDB_ILP and QUESTDB_PG_URL, naming both', () => {
    let error: unknown;
    try {
      loadConfig({ CANDLE_STORE: 'questdb' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['QUESTDB_ILP', 'QUESTDB_PG_URL']);
    expect((error as ConfigError).message).toContain('QUESTDB_ILP="": required when CANDLE_STORE=questdb');
    expect(() => loadConfig({ CANDLE_STORE: 'questdb', QUESTDB_ILP: 'http::addr=q:9000;' })).toThrow(
      /QUESTDB_PG_URL="": required/,
    );
  });

  const QUESTDB_STORE = { CANDLE_STORE: 'questdb', QUESTDB_PG_URL: 'postgres://admin:quest@127.0.0.1:8812/qdb' };

  it.each(['tcp::addr=127.0.0.1:9009;', 'http::addr=127.0.0.1:9000;colour=blue;', '127.0.0.1:9000'])(
    'with CANDLE_STORE=questdb rejects QUESTDB_ILP=%s naming the variable and the value',
    (value) => {
      let error: unknown;
      try {
        loadConfig({ ...QUESTDB_STORE, QUESTDB_ILP: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`QUESTDB_ILP=${JSON.stringify(value)}`);
      expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['QUESTDB_ILP']);
    },
  );

  it('explains why a tcp:: ILP string is refused', () => {
    expect(() => loadConfig({ ...QUESTDB_STORE, QUESTDB_ILP: 'tcp::addr=127.0.0.1:9009;' })).toThrow(
      /gives no write acknowledgement; use http:: or https::/,
    );
  });

  it('leaves QUESTDB_ILP unparsed while the postgres store is used (parsing loads the QuestDB client)', () => {
    expect(loadConfig({ QUESTDB_ILP: 'tcp::addr=127.0.0.1:9009;' }).candleStore).toBe('postgres');
  });
});
