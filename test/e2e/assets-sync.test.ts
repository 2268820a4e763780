import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { AssetsSyncResult } from '../../src/assets/assets-sync.service';
import { runCli } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

interface AssetRow {
  id: number;
  symbol: string;
  base: string;
  quote: string;
  instrument_type: string;
  native_symbol: string;
  altname: string | null;
  wsname: string | null;
  category: string;
  tier: string;
  active: boolean;
  catalog_verified: boolean;
}

describe('candlekeep assets sync (built CLI against the Kraken test server)', () => {
  let server: KrakenTestServer;
  let db: TestDatabase;
  let pg: Client;

  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: db.url,
    KRAKEN_API_URL: server.url,
    KRAKEN_RPS: '1000',
    KRAKEN_BURST: '100',
    KRAKEN_BACKOFF_BASE_MS: '10',
    ...extra,
  });
  const sync = async (extra: Record<string, string> = {}) => {
    const r = await runCli(['assets', 'sync', '--json'], env(extra));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return r.json<AssetsSyncResult>();
  };
  const rows = async (): Promise<AssetRow[]> => (await pg.query<AssetRow>('SELECT * FROM assets ORDER BY symbol')).rows;
  const row = async (nativeSymbol: string): Promise<AssetRow | undefined> =>
    (await pg.query<AssetRow>('SELECT * FROM assets WHERE native_symbol = $1', [nativeSymbol])).rows[0];

  beforeAll(async () => {
    server = await KrakenTestServer.start({ now: '2026-01-12T00:00:00Z' });
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    await server.close();
  });
  beforeEach(() => {
    server.clearOverrides();
    server.clearFaults();
    server.resetCounters();
  });

  it(
    'first run: every pair upserted with standard symbols, categories, tiers; non-online pairs inactive; ' +
      'an archive-created asset verified, not duplicated',
    async () => {
      // Created earlier from an archive member name (XBTUSD_60.csv), and one Kraken's listing does not know.
      await pg.query(
        `INSERT INTO assets (exchange, symbol, base, quote, instrument_type, ` +
          `native_symbol, altname, category, tier, catalog_verified)
       VALUES ('kraken', 'BTC-USD-SPOT', 'BTC', 'USD', 'SPOT', 'XBTUSD', 'XBTUSD', 'crypto', 'TIER1', false),
              ('kraken', 'BONK-USD-SPOT', 'BONK', 'USD', 'SPOT', 'BONKUSD', 'BONKUSD', 'crypto', 'TIER4', false)`,
      );
      const archiveBtcId = (await row('XBTUSD'))!.id;

      const out = await sync();
      expect(out).toEqual({
        assets_total: 27,
        active: 19,
        unverified: 1,
        archive_only: 1,
        created: 25,
        updated: 1,
        deactivated: 8,
        by_category: { crypto: 26, forex: 1, stock: 0, commodity: 0 },
        by_tier: { TIER1: 9, TIER2: 4, TIER3: 2, TIER4: 12 },
      });
      expect(server.requestCount('AssetPairs')).toBe(1);
      expect(server.requestCount('Assets')).toBe(1);

      const btc = (await rows()).filter((r) => r.symbol === 'BTC-USD-SPOT');
      expect(btc).toEqual([
        expect.objectContaining({
          id: archiveBtcId,
          native_symbol: 'XXBTZUSD',
          altname: 'XBTUSD',
          wsname: 'XBT/USD',
          base: 'BTC',
          quote: 'USD',
          instrument_type: 'SPOT',
          category: 'crypto',
          tier: 'TIER1',
          active: true,
          catalog_verified: true,
        }),
      ]);
      expect(await row('XXDGXXBT')).toMatchObject({ symbol: 'DOGE-BTC-SPOT', tier: 'TIER2', active: true });
      expect(await row('ZEURZUSD')).toMatchObject({ symbol: 'EUR-USD-SPOT', category: 'forex', tier: 'TIER3' });
      expect(await row('USDTZUSD')).toMatchObject({ symbol: 'USDT-USD-SPOT', category: 'crypto', tier: 'TIER2' });
      expect(await row('XXBTEUROP')).toMatchObject({
        symbol: 'BTC-EUROP-SPOT',
        altname: 'XBTEUROP',
        wsname: 'XBT/EUROP',
      });
      expect(await row('AGLDEUR')).toMatchObject({ symbol: 'AGLD-EUR-SPOT', active: false, catalog_verified: true });
      const inactive = (await rows()).filter((r) => !r.active).map((r) => r.native_symbol);
      expect(inactive.sort()).toEqual([
        'AGLDEUR',
        'AGLDUSD',
        'AIOEUR',
        'AKEEUR',
        'ETHWUSD',
        'KEEPEUR',
        'KEEPUSD',
        'LUNA2USD',
      ]);
      // Not in Kraken's listing and never verified: left as it is.
      expect(await row('BONKUSD')).toMatchObject({ active: true, catalog_verified: false });
    },
  );

  it('a second run changes nothing', async () => {
    const before = await rows();
    const out = await sync();
    expect(out).toMatchObject({ assets_total: 27, created: 0, updated: 0, deactivated: 0 });
    expect(await rows()).toEqual(before);
  });

  it(
    'a pair that vanished from AssetPairs is marked inactive, never deleted; ' + 'it comes back when listed again',
    async () => {
      const listing = server.fixtureResult('AssetPairs');
      delete listing.XXBTZCAD;
      server.override('AssetPairs', () => ({ error: [], result: listing }));
      const out = await sync();
      expect(out).toMatchObject({ assets_total: 27, active: 18, created: 0, updated: 0, deactivated: 1 });
      expect(await row('XXBTZCAD')).toMatchObject({ symbol: 'BTC-CAD-SPOT', active: false });

      server.clearOverrides();
      expect(await sync()).toMatchObject({ assets_total: 27, active: 19, created: 0, updated: 1, deactivated: 0 });
      expect(await row('XXBTZCAD')).toMatchObject({ active: true });
    },
  );

  it('categories: metal-backed tokens are commodity, tokenized equities (aclass_base) stock', async () => {
    const listing = server.fixtureResult('AssetPairs');
    const template = listing.XXBTZUSD!;
    listing.PAXGUSD = { ...template, altname: 'PAXGUSD', wsname: 'PAXG/USD', base: 'PAXG' };
    listing.AAPLxUSD = {
      ...template,
      altname: 'AAPLxUSD',
      wsname: 'AAPLx/USD',
      base: 'AAPLx',
      aclass_base: 'tokenized_asset',
    };
    server.override('AssetPairs', () => ({ error: [], result: listing }));
    const out = await sync();
    expect(out).toMatchObject({ created: 2, by_category: { crypto: 26, forex: 1, stock: 1, commodity: 1 } });
    expect(await row('PAXGUSD')).toMatchObject({ symbol: 'PAXG-USD-SPOT', category: 'commodity', tier: 'TIER3' });
    expect(await row('AAPLxUSD')).toMatchObject({ symbol: 'AAPLX-USD-SPOT', category: 'stock', tier: 'TIER4' });
  });

  it('tiers come from TIERS_FILE when the user replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-tiers-'));
    try {
      const file = join(dir, 'tiers.json');
      writeFileSync(file, JSON.stringify({ SOL: 'TIER1', BTC: 'TIER2' }));
      const out = await sync({ TIERS_FILE: file });
      expect(out.updated).toBeGreaterThan(0);
      expect(await row('SOLUSD')).toMatchObject({ tier: 'TIER1' });
      expect(await row('XXBTZUSD')).toMatchObject({ tier: 'TIER2' });
      expect(await row('XETHZUSD')).toMatchObject({ tier: 'TIER4' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await sync();
    expect(await row('XETHZUSD')).toMatchObject({ tier: 'TIER1' });
  });

  it(
    'two stored assets for one pair (an old symbol rule) are reported, not merged, ' + 'and do not stop the sync',
    async () => {
      await pg.query(`UPDATE assets SET symbol = 'SOL-XBT-SPOT' WHERE native_symbol = 'SOLXBT'`);
      await pg.query(
        `INSERT INTO assets (exchange, symbol, base, quote, instrument_type, ` +
          `native_symbol, altname, category, tier, catalog_verified)
       VALUES ('kraken', 'SOL-BTC-SPOT', 'SOL', 'BTC', 'SPOT', 'SOLBTC', 'SOLBTC', 'crypto', 'TIER2', false)`,
      );
      const r = await runCli(['assets', 'sync', '--json'], env());
      expect(r.code).toBe(0);
      expect(r.json<AssetsSyncResult>()).toMatchObject({ created: 0, updated: 0, deactivated: 0 });
      expect(r.stderr).toContain('SOLXBT is stored as SOL-XBT-SPOT');
      expect(await row('SOLXBT')).toMatchObject({ symbol: 'SOL-XBT-SPOT', active: true });
      expect(await row('SOLBTC')).toMatchObject({ symbol: 'SOL-BTC-SPOT', catalog_verified: false });
      await pg.query(`DELETE FROM assets WHERE native_symbol = 'SOLBTC'`);
      await pg.query(`UPDATE assets SET symbol = 'SOL-BTC-SPOT' WHERE native_symbol = 'SOLXBT'`);
    },
  );

  it('rides out transient Kraken failures', async () => {
    server.fault('AssetPairs', { kind: 'unavailable' }).fault('Assets', { kind: 'truncated' });
    expect(await sync()).toMatchObject({ created: 0, updated: 0 });
    expect(server.requestCount('AssetPairs')).toBe(2);
    expect(server.requestCount('Assets')).toBe(2);
  });

  it('exits 1 with a typed error when Kraken stays unavailable, and changes nothing', async () => {
    const before = await rows();
    server.fault('AssetPairs', { kind: 'http500', times: 10 });
    const r = await runCli(['assets', 'sync', '--json'], env({ KRAKEN_MAX_RETRIES: '1' }));
    expect(r.code).toBe(1);
    expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'KRAKEN_UNAVAILABLE',
      message: expect.stringContaining('HTTP 500'),
    });
    expect(server.requestCount('AssetPairs')).toBe(2);
    expect(await rows()).toEqual(before);
  });
});
