import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { CommonModule } from '../../src/common/common.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { CandleBucketView, EmptyBucketView } from '../../src/timeseries/bucket-completeness';
import {
  InvalidCursorError,
  NoClosedCandleError,
  NoSourceSeriesError,
  UnusableBaseError,
} from '../../src/timeseries/timeseries.errors';
import { TimeseriesModule } from '../../src/timeseries/timeseries.module';
import { TimeseriesQuery, TimeseriesResult, TimeseriesService } from '../../src/timeseries/timeseries.service';
import { storesUnderTest } from '../helpers/candle-stores';
import { runCliInProcess } from '../helpers/cli-in-process';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import {
  NOW,
  M,
  at,
  GAP,
  TRADED,
  PART_A,
  PART_B,
  starts,
  dailyCloses,
  oracle,
  writeScenario,
} from '../helpers/timeseries-scenario';

describe.each(storesUnderTest('timeseries'))('time series on the $kind store', (store) => {
  let db: TestDatabase;
  let dir: string;
  let moduleRef: TestingModule;
  let ts: TimeseriesService;
  const env = () => ({ DATABASE_URL: db.url, CANDLEKEEP_NOW: NOW, LOG_LEVEL: 'error', ...store.env(db) });
  const query = (q: Partial<TimeseriesQuery>) => ts.query({ symbol: 'BTC-USDT', window: '5m', ...q });

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-timeseries-'));
    writeScenario(dir);
    const ingest = await runCliInProcess(['ingest', '--csv', dir, '--no-api', '--json'], env());
    expect(ingest.code).toBe(0);
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig(env())), CommonModule, DatabaseModule, TimeseriesModule],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    ts = moduleRef.get(TimeseriesService);
  });
  afterAll(async () => {
    await moduleRef?.close();
    await store.drop(db);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('aggregates 5-minute buckets exactly from the 1-minute rows; a no-trade bucket inside coverage is absent', async () => {
    const r = await query({ symbol: 'XBTUSDT', from: at('17:50'), to: at('18:20') });
    expect(r).toMatchObject({
      symbol: 'BTC-USDT-SPOT',
      exchange: 'kraken',
      aggregation_window: '5m',
      start_time: '2025-11-10T17:50:00.000Z',
      end_time: '2025-11-10T18:20:00.000Z',
      source_interval_minutes: 1,
      count: 6,
      coverage: { covered_seconds: 35 * M, expected_seconds: 35 * M, open_gaps: 0 },
      next_cursor: null,
    });
    expect(r).not.toHaveProperty('week_start');
    const expected = starts(at('17:50'), at('18:20'), 5 * M)
      .filter((s) => s !== at('18:05'))
      .map((s) => oracle(s, 5 * M));
    expect(r.data).toEqual(expected);
    expect(r.data.every((b) => b.complete && b.closed)).toBe(true);
  });

  it('fill=prev: a flat zero-volume candle at the previous close where coverage proves no trades, never in a gap', async () => {
    const r = await query({ from: at('18:05'), to: at('18:05'), fill: 'prev' });
    const before = TRADED.filter((c) => c.ts < at('18:05')).pop()!;
    const c = before.close;
    expect(r.data).toEqual([
      {
        ts: at('18:05'),
        time: '2025-11-10T18:05:00.000Z',
        open: c,
        high: c,
        low: c,
        close: c,
        volume: 0,
        trades: 0,
        vwap: null,
        candles: 0,
        complete: true,
        closed: true,
      },
    ]);
    const overGap = await query({ from: at('19:50'), to: at('20:40'), fill: 'prev' });
    expect(overGap.data.map((b) => b.ts)).toEqual(
      starts(at('19:50'), at('20:40'), 5 * M).filter((s) => s < GAP.from || s >= GAP.to),
    );
    expect(overGap.coverage).toEqual({
      covered_seconds: 55 * M - (PART_B[0]!.ts - PART_A[PART_A.length - 1]!.ts - M),
      expected_seconds: 55 * M,
      open_gaps: 1,
    });
  });

  it('fill=null: a placeholder for every empty bucket, candles 0 when covered; the open bucket is not closed', async () => {
    const r = await query({ from: at('19:50'), to: at('20:40'), fill: 'null' });
    expect(r.data).toEqual(starts(at('19:50'), at('20:40'), 5 * M).map((s) => oracle(s, 5 * M)));
    expect(r.data.filter((b) => !('open' in b))).toHaveLength(6);
    expect((await query({ from: at('18:05'), to: at('18:05'), fill: 'null' })).data).toEqual([
      { ts: at('18:05'), time: '2025-11-10T18:05:00.000Z', complete: true, candles: 0, closed: true },
    ]);
    const tail = await query({ from: at('00:05', '2025-11-11'), to: at('00:15', '2025-11-11'), fill: 'null' });
    expect(tail.data.map((b) => [b.ts, b.complete, b.closed])).toEqual([
      [at('00:05', '2025-11-11'), true, true],
      [at('00:10', '2025-11-11'), false, true], // coverage ends at 00:13, the last traded minute
      [at('00:15', '2025-11-11'), false, false], // ends 00:20, after now (00:17:30)
    ]);
    expect(tail.data[2]).toEqual<EmptyBucketView>({
      ts: at('00:15', '2025-11-11'),
      time: '2025-11-11T00:15:00.000Z',
      complete: false,
      closed: false,
    });
  });

  it('pages with the cursor concatenate to the unpaged answer, in every fill mode', async () => {
    for (const fill of ['none', 'prev', 'null'] as const) {
      const span = { from: at('12:15'), to: at('00:15', '2025-11-11'), fill };
      const whole = await query({ ...span, limit: 5000 });
      const pages: TimeseriesResult[] = [];
      let cursor: string | undefined;
      do {
        const page = await query({ ...span, limit: 37, cursor });
        expect(page.coverage).toEqual(whole.coverage);
        pages.push(page);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(pages.length).toBe(Math.ceil(whole.count / 37));
      expect(pages.flatMap((p) => p.data)).toEqual(whole.data);
    }
    await expect(query({ limit: 5001 })).rejects.toThrow(/limit/);
    const page = await query({ from: at('12:15'), to: at('18:00'), limit: 2 });
    const cursor = page.next_cursor!;
    await expect(query({ window: '15m', from: at('12:15'), to: at('18:00'), cursor })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(query({ from: at('13:00'), to: at('18:00'), cursor })).rejects.toThrow(/outside the requested span/);
  });

  it('reads the coarsest held interval tiling the window, and names what is held when none does', async () => {
    const pick = async (window: TimeseriesQuery['window'], weekStart?: 'thursday') =>
      (
        await ts.query({
          symbol: 'XBT/USD',
          window,
          weekStart,
          from: at('00:00', '2015-07-01'),
          to: at('00:00', '2015-07-31'),
        })
      ).source_interval_minutes;
    expect(await pick('1d')).toBe(1440);
    expect(await pick('12h')).toBe(720);
    expect(await pick('1mo')).toBe(1440);
    expect(await pick('1w', 'thursday')).toBe(1440);
    expect((await query({ window: '1h', from: at('13:00'), to: at('13:00') })).source_interval_minutes).toBe(1);
    await expect(ts.query({ symbol: 'BTC-USD', window: '4h' })).rejects.toThrow(NoSourceSeriesError);
    await expect(ts.query({ symbol: 'BTC-USD', window: '4h' })).rejects.toThrow(/held: 720m, 1440m/);
    const week = await ts.query({
      symbol: 'BTC-USD',
      window: '1w',
      weekStart: 'thursday',
      from: at('00:00', '2015-07-02'),
      to: at('00:00', '2015-07-02'),
    });
    expect(week).toMatchObject({
      week_start: 'thursday',
      count: 1,
      data: [{ ts: at('00:00', '2015-07-02'), candles: 7 }],
    });
  });

  it('compares on one axis: a symbol that starts later, intersection against union, normalized from base_ts', async () => {
    const usd = dailyCloses('XBTUSD_1440.csv');
    const cad = dailyCloses('XBTCAD_1440.csv');
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 1000;
    const q = {
      symbols: ['XBTUSD', 'XBT/CAD'],
      field: 'close' as const,
      window: '1d' as const,
      from: day('2015-06-27'),
      to: day('2015-07-01'),
    };
    const union = await ts.compare({ ...q, normalize: false, align: 'union' });
    const axis = starts(day('2015-06-27'), day('2015-07-01'), 86_400).filter((t) => usd.has(t));
    expect(union).toMatchObject({ base_ts: day('2015-06-29'), t: axis });
    expect(union.series).toEqual([
      { symbol: 'BTC-USD-SPOT', values: axis.map((t) => usd.get(t)) },
      { symbol: 'BTC-CAD-SPOT', values: axis.map((t) => cad.get(t) ?? null) },
    ]);
    expect(union.series[1]!.values.slice(0, 2)).toEqual([null, null]);
    const inter = await ts.compare({ ...q, normalize: true, align: 'intersection' });
    const common = axis.filter((t) => cad.has(t));
    expect(inter.t).toEqual(common);
    expect(inter.base_ts).toBe(common[0]);
    expect(inter.series[1]!.values).toEqual(
      common.map((t) => expect.closeTo((cad.get(t)! / cad.get(common[0]!)! - 1) * 100, 9) as unknown as number),
    );
    expect(inter.series[0]!.values[0]).toBe(0);
    // Archive rows carry no vwap: the base value is absent, refused rather than divided by.
    await expect(ts.compare({ ...q, field: 'vwap', normalize: true, align: 'union' })).rejects.toThrow(
      UnusableBaseError,
    );
  });

  it('latest: the last closed stored candle, intervals behind now and the staleness of validate', async () => {
    const last = TRADED[TRADED.length - 1]!;
    expect(await ts.latest('XBTUSDT', 1)).toEqual({
      symbol: 'BTC-USDT-SPOT',
      interval: 1,
      ts: last.ts,
      time: new Date(last.ts * 1000).toISOString(),
      open: last.open,
      high: last.high,
      low: last.low,
      close: last.close,
      volume: last.volume,
      trades: last.trades,
      vwap: null,
      intervals_behind: (at('00:16', '2025-11-11') - last.ts) / M,
      stale: false,
    });
    const daily = await ts.latest('BTC-USD', 1440);
    expect(daily).toMatchObject({ ts: at('00:00', '2015-08-31'), stale: true });
    expect(daily.intervals_behind).toBe((at('00:00', '2025-11-10') - at('00:00', '2015-08-31')) / 86_400);
    await expect(ts.latest('BTC-USDT', 60)).rejects.toThrow(NoClosedCandleError);
  });

  it('health: the candle store is reachable; the stale series are those validate lists', async () => {
    const h = await ts.health();
    expect(h).toMatchObject({ status: 'ok', candle_store: { store: store.kind, reachable: true }, stale_series: 3 });
    const validate = await runCliInProcess(['validate', '--json'], env());
    expect(validate.json<{ stale: unknown[] }>().stale).toHaveLength(3);
  });

  it('CLI: series SYMBOL, compare and latest print the same answers as JSON, CSV and tables', async () => {
    const cli = (args: string[]) => runCliInProcess(args, env());
    const json = await cli([
      'series',
      'XBTUSDT',
      '--window',
      '5m',
      '--from',
      '2025-11-10T17:50',
      '--to',
      '2025-11-10T18:20',
      '--json',
    ]);
    expect(json.code).toBe(0);
    expect(json.json()).toEqual(JSON.parse(JSON.stringify(await query({ from: at('17:50'), to: at('18:20') }))));
    const csvOut = await cli([
      'series',
      'BTC-USDT',
      '--window',
      '5m',
      '--from',
      String(at('18:00')),
      '--to',
      String(at('18:10')),
      '--fill',
      'null',
      '--format',
      'csv',
    ]);
    const b = oracle(at('18:00'), 5 * M) as CandleBucketView;
    expect(csvOut.stdout.trim().split('\n')).toEqual([
      'ts,time,open,high,low,close,volume,trades,vwap,candles,complete,closed',
      `${b.ts},${b.time},${b.open},${b.high},${b.low},${b.close},${TRADED.filter((c) => c.ts >= at('18:00') && c.ts < at('18:05')).reduce((n, c) => n + c.volume, 0)},${b.trades},,${b.candles},true,true`,
      `${at('18:05')},2025-11-10T18:05:00.000Z,,,,,,,,0,true,true`,
      expect.stringMatching(new RegExp(`^${at('18:10')},2025-11-10T18:10:00.000Z,`)),
    ]);
    const table = await cli([
      'series',
      'BTC-USDT',
      '--window',
      '1h',
      '--from',
      '2025-11-10T13:00',
      '--to',
      '2025-11-10T14:00',
    ]);
    expect(table.stdout).toMatch(
      /^BTC-USDT-SPOT 1h from 1m candles, .*: 2 bucket\(s\) \(100% covered\), 0 open gap\(s\)\n\s*ts\s+time\s+open/,
    );
    expect((await cli(['series', 'list', '--json'])).json<{ total: number }>().total).toBe(4);
    expect((await cli(['series', 'list', '--window', '1d'])).code).toBe(2);

    const cmp = await cli([
      'compare',
      'XBTUSD',
      'XBTCAD',
      '--field',
      'close',
      '--normalize',
      '--from',
      '2015-06-27',
      '--to',
      '2015-07-01',
      '--json',
    ]);
    expect(cmp.code).toBe(0);
    expect(cmp.json()).toMatchObject({
      field: 'close',
      normalize: true,
      align: 'intersection',
      base_ts: Date.parse('2015-06-29T00:00:00Z') / 1000,
    });
    const cmpCsv = await cli([
      'compare',
      'XBTUSD',
      'XBTCAD',
      '--align',
      'union',
      '--from',
      '2015-06-27',
      '--to',
      '2015-06-29',
      '--format',
      'csv',
    ]);
    expect(cmpCsv.stdout.trim().split('\n')[0]).toBe('time,BTC-USD-SPOT,BTC-CAD-SPOT');
    expect(cmpCsv.stdout).toMatch(/^2015-06-27T00:00:00.000Z,[\d.]+,$/m);
    const zero = await cli([
      'compare',
      'XBTUSD',
      'XBTCAD',
      '--field',
      'vwap',
      '--normalize',
      '--align',
      'union',
      '--from',
      '2015-06-27',
      '--to',
      '2015-07-01',
      '--json',
    ]);
    expect(zero.code).toBe(2);
    expect(zero.json<{ error: { code: string } }>().error.code).toBe('UNUSABLE_BASE');

    const latest = await cli(['latest', 'XBTUSDT', '--interval', '1', '--json']);
    expect(latest.code).toBe(0);
    expect(latest.json()).toEqual(JSON.parse(JSON.stringify(await ts.latest('BTC-USDT', 1))));
    const staleText = await cli(['latest', 'BTC-USD', '--interval', '1d']);
    expect(staleText.code).toBe(1);
    expect(staleText.stdout).toMatch(
      /^BTC-USD-SPOT 1440m 2015-08-31T00:00:00.000Z: open .* interval\(s\) behind, STALE/,
    );
    expect(
      (await cli(['latest', 'BTC-USD', '--interval', '240', '--json'])).json<{ error: { code: string } }>().error.code,
    ).toBe('NO_CLOSED_CANDLE');
  });
});
