import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AssetCatalogService } from '../../src/assets/asset-catalog.service';
import { AssetRepository } from '../../src/assets/asset.repository';
import { TiersService } from '../../src/assets/tiers.service';
import { CandlesExportService, plainNumber } from '../../src/reports/candles-export.service';
import { PostgresCandleStore } from '../../src/candles/postgres-candle-store';
import { AppConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { Asset } from '../../src/entities/asset.entity';
import { KRAKEN_CAPABILITIES } from '../../src/sources/kraken/kraken-capabilities';
import { runCli } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { FIXTURES, ingest } from '../helpers/ingest';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const HEADER = 'time,open,high,low,close,volume,trades,vwap,source';

/** The real archive rows of a sample, as numbers (time, open, high, low, close, volume, trades). */
function sourceRows(file: string): number[][] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map(Number));
}

interface ExportJson {
  symbol: string;
  interval: number;
  from: string | null;
  to: string | null;
  count: number;
  candles: Array<{
    ts: number;
    time: string;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    trades: number;
    vwap: number | null;
    source: string;
  }>;
}

describe('candlekeep candles (export)', () => {
  let db: TestDatabase;
  const env = () => ({ DATABASE_URL: db.url, CANDLEKEEP_NOW: '2025-04-01T00:30:00Z' });
  const cli = (args: string[]) => runCli(['candles', ...args], env());
  /** Usage errors need no fresh process. */
  const usage = (args: string[]) => runCliInProcess(['candles', ...args], env());

  beforeAll(async () => {
    db = await createTestDatabase();
    // Two real archive members: an illiquid hourly one (351 hours without trades) and 8,294 twelve-hour candles.
    const { out } = await ingest(
      db.url,
      ['--csv', join(FIXTURES, 'aironav-bitcoin', 'STORJUSD_60.csv'), '--csv', join(FIXTURES, 'XBTUSD_720.csv')],
      {
        CANDLEKEEP_NOW: '2025-04-01T00:30:00Z',
      },
    );
    expect(out.rows_ingested).toBe(1508 + 8294);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('exports a whole series as CSV: the header, then exactly the archive rows in order', async () => {
    const r = await cli(['STORJUSD', '--interval', '60']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER);
    const rows = lines.slice(1).map((l) => l.split(','));
    const expected = sourceRows('aironav-bitcoin/STORJUSD_60.csv');
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((f) => f.slice(0, 7).map(Number))).toEqual(expected);
    // No exponent notation, no vwap from an archive, the source named.
    expect(
      rows.every((f) => f.length === 9 && f[7] === '' && f[8] === 'csv' && !/e/i.test(f.slice(0, 7).join(','))),
    ).toBe(true);
  });

  it('accepts every symbol form and gives the same export', async () => {
    const outputs = await Promise.all(
      ['BTC-USD-SPOT', 'XBTUSD', 'XXBTZUSD', 'XBT/USD'].map((s) => cli([s, '--interval', '720'])),
    );
    for (const o of outputs) expect(o.code).toBe(0);
    expect(new Set(outputs.map((o) => o.stdout)).size).toBe(1);
    const rows = outputs[0]!.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((l) => l.split(',').slice(0, 7).map(Number))).toEqual(sourceRows('XBTUSD_720.csv'));
  });

  it('--from/--to select inclusive open times; --format json and --json give one JSON object', async () => {
    const from = '2020-08-01T00:00:00Z';
    const to = '2020-08-02T05:00:00Z';
    const expected = sourceRows('aironav-bitcoin/STORJUSD_60.csv').filter(
      ([ts]) => ts! >= Date.parse(from) / 1000 && ts! <= Date.parse(to) / 1000,
    );
    expect(expected.length).toBeGreaterThan(10);
    const viaFormat = await cli([
      'STORJ/USD',
      '--interval',
      '60',
      '--from',
      from,
      '--to',
      '2020-08-02T05:00',
      '--format',
      'json',
    ]);
    const viaJson = await cli([
      'STORJ-USD-SPOT',
      '--interval',
      '60',
      '--from',
      String(Date.parse(from) / 1000),
      '--to',
      to,
      '--json',
    ]);
    expect(viaFormat.code).toBe(0);
    expect(viaJson.code).toBe(0);
    const body = viaJson.json<ExportJson>();
    expect(viaFormat.json<ExportJson>()).toEqual(body);
    expect(Object.keys(body)).toEqual(['symbol', 'interval', 'from', 'to', 'count', 'candles']);
    expect(body).toMatchObject({
      symbol: 'STORJ-USD-SPOT',
      interval: 60,
      from: '2020-08-01T00:00:00.000Z',
      to: '2020-08-02T05:00:00.000Z',
      count: expected.length,
    });
    expect(body.candles.map((c) => [c.ts, c.open, c.high, c.low, c.close, c.volume, c.trades])).toEqual(expected);
    expect(body.candles[0]).toMatchObject({
      time: new Date(expected[0]![0]! * 1000).toISOString(),
      vwap: null,
      source: 'csv',
    });
  });

  it('an empty span is an empty export, not an error', async () => {
    const r = await cli(['STORJUSD', '--interval', '60', '--from', '2030-01-01', '--json']);
    expect(r.code).toBe(0);
    expect(r.json<ExportJson>()).toEqual({
      symbol: 'STORJ-USD-SPOT',
      interval: 60,
      from: '2030-01-01T00:00:00.000Z',
      to: null,
      count: 0,
      candles: [],
    });
  });

  it.each([
    [['NOPE-USD-SPOT', '--interval', '60'], /unknown symbol "NOPE-USD-SPOT"/],
    [['STORJUSD', '--interval', '7'], /--interval: "7" is not an interval/],
    [['STORJUSD'], /--interval is required/],
    [['STORJUSD', '--interval', '60', '--from', 'yesterday'], /--from: "yesterday" is not an ISO-8601 date/],
    [['STORJUSD', '--interval', '60', '--from', '2021-01-01', '--to', '2020-01-01'], /is after --to/],
    [['STORJUSD', '--interval', '60', '--format', 'xml'], /--format: "xml" is not one of csv, json/],
  ])('bad usage %j exits 2 with a clear message', async (args, message) => {
    const r = await usage(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('an unknown symbol with --json is one error object on stdout', async () => {
    const r = await usage(['XYZABC', '--interval', '60', '--json']);
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string; message: string } }>().error.code).toBe('UNKNOWN_SYMBOL');
  });

  it('pages through the store: every page boundary keeps each row exactly once', async () => {
    const ds = new DataSource(dataSourceOptions(db.url));
    await ds.initialize();
    try {
      const catalog = new AssetCatalogService(
        new AssetRepository(ds.getRepository(Asset)),
        new TiersService({ assets: {} } as AppConfig),
        KRAKEN_CAPABILITIES,
      );
      const store = new PostgresCandleStore(ds);
      const reads: number[] = [];
      const readStored = store.readStored.bind(store);
      store.readStored = async (...args) => {
        const page = await readStored(...args);
        reads.push(page.length);
        return page;
      };
      const service = new CandlesExportService(catalog, store);
      let csv = '';
      const summary = await service.export(
        { symbol: 'XBTUSD', intervalMinutes: 720 },
        'csv',
        async (chunk) => void (csv += chunk),
        1000,
      );
      expect(reads).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 294]);
      expect(summary.count).toBe(8294);
      const whole = await cli(['XBTUSD', '--interval', '720']);
      expect(csv).toBe(whole.stdout);
      // A page size dividing the count exactly ends with one empty read.
      reads.length = 0;
      let json = '';
      await service.export(
        { symbol: 'STORJUSD', intervalMinutes: 60 },
        'json',
        async (chunk) => void (json += chunk),
        754,
      );
      expect(reads).toEqual([754, 754, 0]);
      expect((JSON.parse(json) as ExportJson).candles.map((c) => c.ts)).toEqual(
        sourceRows('aironav-bitcoin/STORJUSD_60.csv').map(([ts]) => ts),
      );
    } finally {
      await ds.destroy();
    }
  });

  it('plainNumber writes the shortest round-trip value without exponents', () => {
    expect([1e-7, 1.5e-8, 10, 1e21, 123.456, -2.5e-7, 0].map(plainNumber)).toEqual([
      '0.0000001',
      '0.000000015',
      '10',
      '1000000000000000000000',
      '123.456',
      '-0.00000025',
      '0',
    ]);
    for (const n of [1e-7, 1.5e-8, 3.14159e-10, 1e21]) expect(Number(plainNumber(n))).toBe(n);
  });
});
