import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import type { Browser } from 'playwright-core';
import { COVERED_COLOR, GAP_COLORS } from '../../src/reports/report-renderers';
import { runCli } from '../helpers/cli';
import { t } from '../helpers/ingest';
import { ingestReportScenario, REPORT_NOW } from '../helpers/report-scenario';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

const CHROMIUM = '/usr/bin/chromium';
const WIDTH = 900;
/** Where the screenshot of the rendered report is left for people to look at. */
const SCREENSHOT = join(tmpdir(), 'candlekeep-report-html.png');

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  process.stderr.write(`SKIPPED report-html: no chromium at ${CHROMIUM} (install Debian's chromium to run it)\n`);
const describeWithChromium = hasChromium ? describe : describe.skip;

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

/** The browser's globals used in page callbacks (the project compiles without the DOM lib). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { fill: string };
}

interface Drawn {
  symbol: string;
  interval: string;
  width: number;
  rects: Array<{ cls: string; x: number; width: number; fill: string }>;
}

/**
 * Expected pixel span of [from, to] (candle open times, inclusive) on a timeline whose window is
 * [start, end] (open times): the bar spans start .. end + one interval, WIDTH pixels wide.
 */
function px(window: [string, string], step: number, from: string, to: string): { x: number; width: number } {
  const a = t(window[0]);
  const b = t(window[1]) + step;
  const x0 = ((Math.max(t(from), a) - a) / (b - a)) * WIDTH;
  const x1 = ((Math.min(t(to) + step, b) - a) / (b - a)) * WIDTH;
  return { x: x0, width: x1 - x0 };
}

describeWithChromium('report HTML rendered in headless Chromium', () => {
  let db: TestDatabase;
  let dir: string;
  let browser: Browser;
  let drawn: Drawn[];
  let requests: string[];
  let fileUrl: string;
  let legend: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ck-report-html-'));
    await ingestReportScenario(db.url);
    // Every gap status the drawing distinguishes: set by hand on the detected records.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `UPDATE gap_records SET status = 'IGNORED', resolved_at = now(), reason = 'test' ` +
        `WHERE start_ts = '2020-01-01T00:00Z'`,
    );
    await pg.query(
      `UPDATE gap_records SET status = 'FAILED', last_error = 'test' WHERE start_ts = '2023-03-01T00:00Z'`,
    );
    await pg.query(`UPDATE gap_records SET status = 'FILLING' WHERE start_ts = '2023-04-13T00:00Z'`);
    await pg.query(`UPDATE gap_records SET status = 'PARTIAL' WHERE start_ts = '2020-10-01T00:00Z'`);
    await pg.end();
    const file = join(dir, 'report.html');
    const r = await runCli(['report', '--format', 'html', '--out', file, '--json'], {
      DATABASE_URL: db.url,
      CANDLEKEEP_NOW: REPORT_NOW,
    });
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^<!doctype html>/);
    fileUrl = pathToFileURL(file).href;

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    requests = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(fileUrl, { waitUntil: 'load' });
    drawn = await page.$$eval('svg.timeline', (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          symbol: svg.getAttribute('data-symbol') ?? '',
          interval: svg.getAttribute('data-interval') ?? '',
          width: box.width,
          rects: [...svg.querySelectorAll('rect.covered, rect.gap')].map((rect) => {
            const r = rect.getBoundingClientRect();
            return {
              cls: rect.getAttribute('class') ?? '',
              x: r.left - box.left,
              width: r.width,
              fill: (globalThis as unknown as BrowserGlobals).getComputedStyle(rect).fill,
            };
          }),
        };
      }),
    );
    legend = await page.$eval('.legend', (el) => (el as unknown as { innerText: string }).innerText);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('draws one timeline per series, in the series table order', () => {
    expect(drawn.map((d) => [d.symbol, d.interval, d.width])).toEqual([
      ['BTC-CAD-SPOT', '1440', WIDTH],
      ['BTC-USD-SPOT', '1440', WIDTH],
      ['STORJ-USD-SPOT', '60', WIDTH],
    ]);
  });

  it('covered spans and gaps sit at their place in the window, to scale (within a pixel)', () => {
    const day = 86_400;
    const usdWindow: [string, string] = ['2013-10-06', '2025-03-31'];
    const expectUsd = [
      ['covered', px(usdWindow, day, '2013-10-06', '2019-12-31'), COVERED_COLOR],
      ['covered', px(usdWindow, day, '2020-04-01', '2023-02-28'), COVERED_COLOR],
      ['covered', px(usdWindow, day, '2023-07-01', '2024-09-30'), COVERED_COLOR],
      ['covered', px(usdWindow, day, '2025-01-01', '2025-03-31'), COVERED_COLOR],
      ['gap gap-IGNORED', px(usdWindow, day, '2020-01-01', '2020-03-31'), GAP_COLORS.IGNORED],
      ['gap gap-FAILED', px(usdWindow, day, '2023-03-01', '2023-04-12'), GAP_COLORS.FAILED],
      ['gap gap-FILLING', px(usdWindow, day, '2023-04-13', '2023-06-30'), GAP_COLORS.FILLING],
      // A covered day without a candle that a liquid market would not have: drawn as a suspect.
      ['gap gap-SUSPECT', px(usdWindow, day, '2024-03-31', '2024-03-31'), GAP_COLORS.SUSPECT],
      ['gap gap-DETECTED', px(usdWindow, day, '2024-10-01', '2024-12-31'), GAP_COLORS.DETECTED],
    ] as const;
    const storjWindow: [string, string] = ['2020-07-15T13:00Z', '2025-03-31T23:00Z'];
    const expectStorj = [
      ['covered', px(storjWindow, 3600, '2020-07-15T13:00Z', '2020-09-30T23:00Z'), COVERED_COLOR],
      ['gap gap-PARTIAL', px(storjWindow, 3600, '2020-10-01T00:00Z', '2025-03-02T00:00Z'), GAP_COLORS.PARTIAL],
      ['gap gap-DETECTED', px(storjWindow, 3600, '2025-03-02T01:00Z', '2025-03-31T23:00Z'), GAP_COLORS.DETECTED],
    ] as const;
    const cad = drawn[0]!.rects;
    expect(cad).toHaveLength(2);
    expect(cad[0]).toMatchObject({ cls: 'covered', fill: rgb(COVERED_COLOR) });
    expect(cad[0]!.x).toBeCloseTo(0, 0);
    expect(cad[0]!.width).toBeCloseTo(WIDTH, 0);
    // Kraken's January 2018 outage: a suspect day inside the covered span.
    const outage = px(['2015-06-29', '2025-03-31'], day, '2018-01-12', '2018-01-12');
    expect(cad[1]).toMatchObject({ cls: 'gap gap-SUSPECT', fill: rgb(GAP_COLORS.SUSPECT) });
    expect(Math.abs(cad[1]!.x - outage.x)).toBeLessThanOrEqual(1);
    for (const [series, expected] of [
      [drawn[1]!, expectUsd],
      [drawn[2]!, expectStorj],
    ] as const) {
      expect(series.rects.map((r) => [r.cls, r.fill])).toEqual(expected.map(([cls, , color]) => [cls, rgb(color)]));
      series.rects.forEach((r, i) => {
        const want = expected[i]![1];
        expect(Math.abs(r.x - want.x)).toBeLessThanOrEqual(1);
        expect(Math.abs(r.width - Math.max(want.width, 1))).toBeLessThanOrEqual(1);
      });
    }
    // Sanity of the scale itself: the 2024 Q4 gap (92 of 4,195 days) is about 20 pixels, ending 90 days before the end.
    const q4 = drawn[1]!.rects[8]!;
    expect(Math.round(q4.width)).toBe(Math.round((92 / 4195) * WIDTH));
    expect(Math.round(WIDTH - (q4.x + q4.width))).toBe(Math.round((90 / 4195) * WIDTH));
  });

  it('gap colors differ by status, and the legend names each', () => {
    expect(new Set(Object.values(GAP_COLORS)).size).toBe(Object.keys(GAP_COLORS).length);
    expect(Object.values(GAP_COLORS)).not.toContain(COVERED_COLOR);
    for (const status of Object.keys(GAP_COLORS)) expect(legend).toContain(`gap ${status}`);
    expect(legend).toContain('covered');
  });

  it('is self-contained: the page loads nothing but itself', () => {
    expect(requests).toEqual([fileUrl]);
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
