import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { CompletenessReport, IntervalReport, SeriesReport } from '../../src/reports/completeness-report.service';
import { runCli } from '../helpers/cli';
import { runCliInProcess } from '../helpers/cli-in-process';
import { ingestReportScenario, REPORT_NOW } from '../helpers/report-scenario';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

/*
 * The numbers below are worked out by hand from the scenario (test/helpers/report-scenario.ts),
 * now = 2025-04-01T00:30Z:
 *
 * BTC-USD-SPOT 1440: first 2013-10-06 (the archive's first row), last closed candle 2025-03-31:
 *   window 4,195 days; missing 2020-01-01..03-31 (91), 2023-03-01..04-12 (43, before the OHLC window's
 *   start 2023-04-13 = 2025-04-01 − 719 d), 2023-04-13..06-30 (79), 2024-10-01..12-31 (92) = 305;
 *   coverage 3,890 / 4,195 = 92.729 % (floored to 3 decimals). OHLC-fillable 79 + 92 = 171, trades 91 + 43 = 134.
 * BTC-CAD-SPOT 1440: 2015-06-29..2025-03-31, 3,564 days, all covered (the archive's missing days lie inside it).
 * TIER1 1440: (3,890 + 3,564) / (4,195 + 3,564) = 96.069 %.
 * STORJ-USD-SPOT 60 (TIER4): 2020-07-15 13:00..2020-09-30 23:00 = 1,859 hours covered of a window up to
 *   2025-03-31 23:00 = 41,291 hours: 4.502 %; 39,432 hours behind; the gap after it splits at the OHLC
 *   window start 2025-03-02 01:00: 719 hours OHLC-fillable, 38,713 trades-fillable.
 * All: (3,890 + 3,564 + 1,859) / (4,195 + 3,564 + 41,291) = 18.986 %.
 * Suspects (covered days without a candle a liquid market would not have): BTC-CAD 2018-01-12 (Kraken's outage)
 *   and BTC-USD 2024-03-31, so neither TIER1 series is complete, whatever its coverage.
 */
const byF = (API_OHLC: number, API_TRADES: number, ARCHIVE_ONLY = 0) => ({ API_OHLC, API_TRADES, ARCHIVE_ONLY });

const CAD: SeriesReport = {
  symbol: 'BTC-CAD-SPOT',
  tier: 'TIER1',
  interval: 1440,
  first: '2015-06-29T00:00:00.000Z',
  last: '2025-03-31T00:00:00.000Z',
  window_start: '2015-06-29T00:00:00.000Z',
  window_end: '2025-03-31T00:00:00.000Z',
  coverage_pct: 100,
  open_gaps: 0,
  missing_intervals: 0,
  suspect_gaps: 1,
  ignored_gaps: 0,
  ignored_intervals: 0,
  intervals_behind: 0,
  stale: false,
  complete: false,
};
const USD: SeriesReport = {
  symbol: 'BTC-USD-SPOT',
  tier: 'TIER1',
  interval: 1440,
  first: '2013-10-06T00:00:00.000Z',
  last: '2025-03-31T00:00:00.000Z',
  window_start: '2013-10-06T00:00:00.000Z',
  window_end: '2025-03-31T00:00:00.000Z',
  coverage_pct: 92.729,
  open_gaps: 4,
  missing_intervals: 305,
  suspect_gaps: 1,
  ignored_gaps: 0,
  ignored_intervals: 0,
  intervals_behind: 0,
  stale: false,
  complete: false,
};
const STORJ: SeriesReport = {
  symbol: 'STORJ-USD-SPOT',
  tier: 'TIER4',
  interval: 60,
  first: '2020-07-15T13:00:00.000Z',
  last: '2020-09-30T23:00:00.000Z',
  window_start: '2020-07-15T13:00:00.000Z',
  window_end: '2025-03-31T23:00:00.000Z',
  coverage_pct: 4.502,
  open_gaps: 2,
  missing_intervals: 39_432,
  suspect_gaps: 0,
  ignored_gaps: 0,
  ignored_intervals: 0,
  intervals_behind: 39_432,
  stale: true,
  complete: false,
};
const TIER1_1440: IntervalReport = {
  interval: 1440,
  series: 2,
  complete_series: 0,
  completeness_pct: 96.069,
  open_gaps: 4,
  open_gaps_by_fillability: byF(2, 2),
  missing_intervals_by_fillability: byF(171, 134),
  suspect_gaps: 2,
  ignored_gaps: 0,
  stale_series: 0,
  complete: false,
};
const TIER4_60: IntervalReport = {
  interval: 60,
  series: 1,
  complete_series: 0,
  completeness_pct: 4.502,
  open_gaps: 2,
  open_gaps_by_fillability: byF(1, 1),
  missing_intervals_by_fillability: byF(719, 38_713),
  suspect_gaps: 0,
  ignored_gaps: 0,
  stale_series: 1,
  complete: false,
};

describe('candlekeep report on a known scenario', () => {
  let db: TestDatabase;
  let dir: string;
  const report = (args: string[]) => runCli(['report', ...args], { DATABASE_URL: db.url, CANDLEKEEP_NOW: REPORT_NOW });
  const json = async (args: string[] = []) => {
    const r = await report([...args, '--json']);
    expect(r.code).toBe(0);
    return r.json<CompletenessReport>();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-report-out-'));
    await ingestReportScenario(db.url);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('per tier and interval, and per series, exactly', async () => {
    expect(await json()).toEqual({
      generated_at: '2025-04-01T00:30:00.000Z',
      since: null,
      stale_hours: 24,
      summary: {
        series: 3,
        complete_series: 0,
        completeness_pct: 18.986,
        open_gaps: 6,
        missing_intervals: 39_737,
        suspect_gaps: 2,
        ignored_gaps: 0,
        stale_series: 1,
      },
      tiers: [
        {
          tier: 'TIER1',
          series: 2,
          complete_series: 0,
          completeness_pct: 96.069,
          complete: false,
          intervals: [TIER1_1440],
        },
        {
          tier: 'TIER4',
          series: 1,
          complete_series: 0,
          completeness_pct: 4.502,
          complete: false,
          intervals: [TIER4_60],
        },
      ],
      series: [CAD, USD, STORJ],
    });
  });

  it('--since starts every window there: TIER1 is complete since 2025-01-01, gaps before it do not count', async () => {
    const r = await json(['--since', '2025-01-01']);
    // The suspects (2018, 2024-03-31) lie before the window too.
    const win = {
      window_start: '2025-01-01T00:00:00.000Z',
      coverage_pct: 100,
      open_gaps: 0,
      missing_intervals: 0,
      suspect_gaps: 0,
      complete: true,
    };
    expect(r.since).toBe('2025-01-01T00:00:00.000Z');
    expect(r.series).toEqual([
      { ...CAD, ...win },
      { ...USD, ...win },
      // 2025-01-01 00:00 .. 03-31 23:00 = 2,160 hours, none covered:
      // 1,441 trades-fillable up to 03-02 00:00, then 719 OHLC.
      { ...STORJ, window_start: '2025-01-01T00:00:00.000Z', coverage_pct: 0, open_gaps: 2, missing_intervals: 2160 },
    ]);
    expect(r.tiers).toEqual([
      {
        tier: 'TIER1',
        series: 2,
        complete_series: 2,
        completeness_pct: 100,
        complete: true,
        intervals: [
          {
            ...TIER1_1440,
            complete_series: 2,
            completeness_pct: 100,
            open_gaps: 0,
            open_gaps_by_fillability: byF(0, 0),
            missing_intervals_by_fillability: byF(0, 0),
            suspect_gaps: 0,
            complete: true,
          },
        ],
      },
      {
        tier: 'TIER4',
        series: 1,
        complete_series: 0,
        completeness_pct: 0,
        complete: false,
        intervals: [{ ...TIER4_60, completeness_pct: 0, missing_intervals_by_fillability: byF(719, 1441) }],
      },
    ]);
    expect(r.summary).toEqual({
      series: 3,
      complete_series: 2,
      completeness_pct: 7.692,
      open_gaps: 2,
      missing_intervals: 2160,
      suspect_gaps: 0,
      ignored_gaps: 0,
      stale_series: 1,
    });
  });

  it('--tier keeps one tier; --intervals keeps the expected series at those intervals', async () => {
    const tier4 = await json(['--tier', 'TIER4']);
    expect(tier4.series).toEqual([STORJ]);
    expect(tier4.tiers.map((t) => t.tier)).toEqual(['TIER4']);

    const tier1 = await json(['--tier', '1', '--intervals', '1440']);
    expect(tier1.series).toEqual([CAD, USD]);
    expect(tier1.tiers).toEqual([
      {
        tier: 'TIER1',
        series: 2,
        complete_series: 0,
        completeness_pct: 96.069,
        complete: false,
        intervals: [TIER1_1440],
      },
    ]);

    // STORJ has no daily series and nothing expects one: it is not listed (one series set: the expected series).
    const daily = await json(['--intervals', '1440']);
    expect(daily.series).toEqual([CAD, USD]);
    const hourly = await json(['--intervals', '60', '--tier', 'TIER4']);
    expect(hourly.series).toEqual([STORJ]);
  });

  it('an IGNORED gap no longer counts as open and its intervals are counted apart, out of completeness', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(
        `UPDATE gap_records SET status = 'IGNORED', resolved_at = now() WHERE start_ts = '2020-01-01T00:00Z'`,
      );
      const r = await json(['--tier', 'TIER1']);
      // 2020-01-01..03-31 (91 days) ignored: 3,890 covered of 4,195 − 91 = 94.785 %; 305 − 91 = 214 missing;
      // TIER1 1440: (3,890 + 3,564) / (4,104 + 3,564) = 97.209 %.
      expect(r.series[1]).toEqual({
        ...USD,
        open_gaps: 3,
        coverage_pct: 94.785,
        missing_intervals: 214,
        ignored_gaps: 1,
        ignored_intervals: 91,
      });
      expect(r.tiers[0]!.intervals[0]).toEqual({
        ...TIER1_1440,
        completeness_pct: 97.209,
        open_gaps: 3,
        open_gaps_by_fillability: byF(2, 1),
        missing_intervals_by_fillability: byF(171, 43),
        ignored_gaps: 1,
      });
    } finally {
      await pg.query(
        `UPDATE gap_records SET status = 'DETECTED', resolved_at = NULL WHERE start_ts = '2020-01-01T00:00Z'`,
      );
      await pg.end();
    }
  });

  it('csv: a header and one row per series', async () => {
    const r = await report(['--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'symbol,tier,interval,first,last,coverage_pct,open_gaps,missing_intervals,intervals_behind,stale,complete',
        'BTC-CAD-SPOT,TIER1,1440,2015-06-29T00:00:00.000Z,2025-03-31T00:00:00.000Z,100,0,0,0,false,false',
        'BTC-USD-SPOT,TIER1,1440,2013-10-06T00:00:00.000Z,2025-03-31T00:00:00.000Z,92.729,4,305,0,false,false',
        'STORJ-USD-SPOT,TIER4,60,2020-07-15T13:00:00.000Z,2020-09-30T23:00:00.000Z,4.502,2,39432,39432,true,false',
      ].join('\n') + '\n',
    );
  });

  it(
    'table: aligned columns under a header, one row per tier+interval and per series, ' + 'and a verdict per tier',
    async () => {
      const r = await report([]);
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('completeness report at 2025-04-01T00:30:00.000Z');
      const tierHead = lines.findIndex((l) => l.startsWith('tier '));
      expect(lines[tierHead]!.split(/\s{2,}/)).toEqual([
        'tier',
        'interval',
        'series',
        'complete',
        'completeness %',
        'open gaps',
        'missing OHLC',
        'missing trades',
        'missing archive',
        'stale',
        'done',
      ]);
      expect(lines[tierHead + 1]).toMatch(/^-+( {2}-+)+$/);
      expect(lines[tierHead + 2]!.split(/\s+/)).toEqual([
        'TIER1',
        '1440',
        '2',
        '0',
        '96.069',
        '4',
        '171',
        '134',
        '0',
        '0',
        'no',
      ]);
      expect(lines[tierHead + 3]!.split(/\s+/)).toEqual([
        'TIER4',
        '60',
        '1',
        '0',
        '4.502',
        '2',
        '719',
        '38713',
        '0',
        '1',
        'no',
      ]);
      const seriesHead = lines.findIndex((l) => l.startsWith('symbol '));
      const rows = lines.slice(seriesHead + 2, seriesHead + 5);
      expect(rows.map((l) => l.split(/\s+/))).toEqual([
        ['BTC-CAD-SPOT', 'TIER1', '1440', '2015-06-29T00:00:00.000Z', '2025-03-31T00:00:00.000Z', '100.000', '0', '0'],
        ['BTC-USD-SPOT', 'TIER1', '1440', '2013-10-06T00:00:00.000Z', '2025-03-31T00:00:00.000Z', '92.729', '4', '0'],
        [
          'STORJ-USD-SPOT',
          'TIER4',
          '60',
          '2020-07-15T13:00:00.000Z',
          '2020-09-30T23:00:00.000Z',
          '4.502',
          '2',
          '39432',
          'STALE',
        ],
      ]);
      // Columns line up: every series row has the symbol column padded to the header's width.
      const col = lines[seriesHead]!.indexOf('tier');
      for (const l of rows) expect(l.slice(col, col + 6)).toMatch(/^TIER\d /);
      expect(lines.filter((l) => /^TIER\d: /.test(l))).toEqual([
        'TIER1: INCOMPLETE (0/2 series, 96.069%)',
        'TIER4: INCOMPLETE (0/1 series, 4.502%)',
      ]);
    },
  );

  it('--out writes the rendering to the file and prints where (and the summary with --json)', async () => {
    const csvFile = join(dir, 'report.csv');
    const r = await report(['--format', 'csv', '--out', csvFile, '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      out: csvFile,
      format: 'csv',
      summary: {
        series: 3,
        complete_series: 0,
        completeness_pct: 18.986,
        open_gaps: 6,
        missing_intervals: 39_737,
        suspect_gaps: 2,
        ignored_gaps: 0,
        stale_series: 1,
      },
      tiers: expect.any(Array),
    });
    expect(readFileSync(csvFile, 'utf8').split('\n')).toHaveLength(5);
    const jsonFile = join(dir, 'report.json');
    const plain = await report(['--format', 'json', '--out', jsonFile]);
    expect(plain.stdout.trim()).toBe(`wrote json report to ${jsonFile}`);
    expect((JSON.parse(readFileSync(jsonFile, 'utf8')) as CompletenessReport).series).toEqual([CAD, USD, STORJ]);
  });

  it.each([
    [['--format', 'pdf'], /--format: "pdf" is not one of table, json, csv, html/],
    [['--since', 'last week'], /--since: "last week" is not an ISO-8601 date/],
    [['--tier', 'GOLD'], /--tier: "GOLD" is not one of TIER1/],
    [['--intervals', '61'], /--intervals: "61" is not an interval/],
  ])('bad usage %j exits 2', async (args, message) => {
    const r = await runCliInProcess(['report', ...args], { DATABASE_URL: db.url, CANDLEKEEP_NOW: REPORT_NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
