import { GapRecord } from '../entities/gap-record.entity';
import { GapStatus, Fillability } from '../common/enums';
import { mergeSpans, slots, subtractSpans } from '../coverage/coverage-math';
import { ohlcWindowStart, RoutedSpan } from './fillability';
import {
  defaultWindowStart,
  expectedWindow,
  planExpectedStarts,
  reconcileGaps,
  ReconcilePlan,
  reconcileSeriesGaps,
} from './gap-reconciler';
import { Span } from '../common/series';
import { KRAKEN_CAPABILITIES } from '../sources/kraken/kraken-capabilities';

const H = 3600;
const T = 1_700_000_000 - (1_700_000_000 % H);
const at = (h: number) => T + h * H;
let nextId = 1;

function record(
  fromH: number,
  toH: number,
  fillability: Fillability = 'API_TRADES',
  status: GapStatus = 'DETECTED',
): GapRecord {
  const g = new GapRecord();
  g.id = nextId++;
  g.assetId = 1;
  g.intervalMinutes = 60;
  g.kind = 'gap';
  g.startTs = new Date(at(fromH) * 1000);
  g.endTs = new Date(at(toH) * 1000);
  g.missingIntervals = toH - fromH + 1;
  g.fillability = fillability;
  g.status = status;
  g.attempts = 0;
  g.candlesFilled = 0;
  g.reason = status === 'IGNORED' ? 'test' : null;
  g.lastError = null;
  g.cursor = null;
  g.archiveHint = null;
  g.detectedAt = new Date(0);
  g.resolvedAt = null;
  g.nextAttemptAt = null;
  return g;
}

const routed = (...spans: Array<[number, number, Fillability]>): RoutedSpan[] =>
  spans.map(([f, t, fillability]) => ({ from: at(f), to: at(t), fillability }));
const iso = (h: number) => new Date(at(h) * 1000).toISOString();
const hours = (g: GapRecord) => [
  (g.startTs.getTime() / 1000 - T) / H,
  (g.endTs.getTime() / 1000 - T) / H,
  g.fillability,
  g.status,
];

function plan(spans: RoutedSpan[], existing: GapRecord[], covered: Span[] = []): ReconcilePlan {
  return reconcileGaps({
    routed: spans,
    covered,
    existing,
    series: { assetId: 1, intervalMinutes: 60 },
    stepSeconds: H,
    now: new Date(0),
    archiveHint: () => 'hint',
  });
}

describe('reconcileGaps', () => {
  it('records new uncovered spans, one record each', () => {
    const p = plan(routed([0, 9, 'API_TRADES'], [10, 20, 'API_OHLC']), []);
    expect(p.insert.map(hours)).toEqual([
      [0, 9, 'API_TRADES', 'DETECTED'],
      [10, 20, 'API_OHLC', 'DETECTED'],
    ]);
    expect(p.update).toEqual([]);
  });

  it('leaves a record that still stands for exactly its uncovered span unchanged (no write)', () => {
    const r = record(0, 161, 'API_OHLC');
    const p = plan(routed([0, 161, 'API_OHLC']), [r]);
    expect(p).toMatchObject({ update: [], insert: [], covered: [], merged: [] });
    expect(p.ledger).toEqual([r]);
  });

  it('shrinks a record only where coverage now spans, keeping its id', () => {
    const r = record(0, 20);
    const p = plan(routed([5, 20, 'API_TRADES']), [r], [{ from: at(0), to: at(4) }]);
    expect(p.update).toEqual([r]);
    expect(hours(r)).toEqual([5, 20, 'API_TRADES', 'DETECTED']);
    expect(r.missingIntervals).toBe(16);
  });

  it('splits a record that new coverage cut in two: it keeps the first part, a new record the second (logged)', () => {
    const r = record(0, 20);
    const p = plan(routed([0, 4, 'API_TRADES'], [11, 20, 'API_TRADES']), [r], [{ from: at(5), to: at(10) }]);
    expect(hours(r)).toEqual([0, 4, 'API_TRADES', 'DETECTED']);
    expect(p.insert.map(hours)).toEqual([[11, 20, 'API_TRADES', 'DETECTED']]);
    expect(p.log).toEqual([expect.stringContaining(`gap ${r.id} split by new coverage`)]);
  });

  it('as the OHLC window moves on, the older record takes the part now beyond it and says so', () => {
    const old = record(0, 9, 'API_TRADES');
    const recent = record(10, 20, 'API_OHLC');
    const p = plan(routed([0, 14, 'API_TRADES'], [15, 20, 'API_OHLC']), [old, recent]);
    expect([hours(old), hours(recent)]).toEqual([
      [0, 14, 'API_TRADES', 'DETECTED'],
      [15, 20, 'API_OHLC', 'DETECTED'],
    ]);
    expect(p.insert).toEqual([]);
    expect(p.log).toEqual([expect.stringContaining(`gap ${recent.id} handed`)]);
  });

  it('merges a record whose whole span another record now stands for, naming it', () => {
    const old = record(0, 9, 'API_TRADES');
    const recent = record(10, 20, 'API_OHLC', 'FAILED');
    const p = plan(routed([0, 20, 'API_TRADES']), [old, recent]);
    expect(hours(old)).toEqual([0, 20, 'API_TRADES', 'DETECTED']);
    expect(p.merged).toEqual([recent]);
    expect(recent).toMatchObject({ status: 'MERGED', reason: `merged into gap ${old.id}` });
  });

  it('a record being filled is left to its filler; what is next to it gets its own record', () => {
    const filling = record(5, 9, 'API_TRADES', 'FILLING');
    const p = plan(routed([0, 20, 'API_TRADES']), [filling]);
    expect(hours(filling)).toEqual([5, 9, 'API_TRADES', 'FILLING']);
    expect(p.insert.map(hours)).toEqual([
      [0, 4, 'API_TRADES', 'DETECTED'],
      [10, 20, 'API_TRADES', 'DETECTED'],
    ]);
  });

  it('an IGNORED record keeps standing for its uncovered span, is split with it, and is settled once covered', () => {
    const ignored = record(0, 20, 'API_TRADES', 'IGNORED');
    const p = plan(routed([0, 4, 'API_TRADES'], [11, 20, 'API_TRADES']), [ignored], [{ from: at(5), to: at(10) }]);
    expect(hours(ignored)).toEqual([0, 4, 'API_TRADES', 'IGNORED']);
    expect(p.insert.map(hours)).toEqual([[11, 20, 'API_TRADES', 'IGNORED']]);
    const covered = record(30, 31, 'API_TRADES', 'IGNORED');
    expect(plan([], [covered], [{ from: at(30), to: at(31) }]).covered).toEqual([covered]);
  });

  it('hands back a wholly covered record to be settled', () => {
    const r = record(0, 9);
    const p = plan([], [r], [{ from: at(0), to: at(9) }]);
    expect(p.covered).toEqual([r]);
    expect(p.ledger).toEqual([]);
  });

  it('a record straddling the OHLC window boundary keeps the part before it; the part inside gets a new record', () => {
    const r = record(0, 20, 'API_TRADES');
    const p = plan(routed([0, 14, 'API_TRADES'], [15, 20, 'API_OHLC']), [r]);
    expect(p.update).toEqual([r]);
    expect(hours(r)).toEqual([0, 14, 'API_TRADES', 'DETECTED']);
    expect(p.insert.map(hours)).toEqual([[15, 20, 'API_OHLC', 'DETECTED']]);
    expect(p.insert[0]!.id).toBeUndefined(); // ids come from the writer
    expect(p.log).toEqual([`gap ${r.id} split by new coverage: a new record stands for ${iso(15)}..${iso(20)}`]);
  });

  it('a record no uncovered span overlaps and coverage does not cover is kept as it is (not re-spanned)', () => {
    const outside = record(30, 35);
    const p = plan(routed([0, 9, 'API_TRADES']), [outside], []);
    expect(hours(outside)).toEqual([30, 35, 'API_TRADES', 'DETECTED']);
    expect(p).toMatchObject({ update: [], covered: [], merged: [] });
    expect(p.insert.map(hours)).toEqual([[0, 9, 'API_TRADES', 'DETECTED']]);
    expect(p.ledger.map(hours)).toEqual([
      [0, 9, 'API_TRADES', 'DETECTED'],
      [30, 35, 'API_TRADES', 'DETECTED'],
    ]);
  });

  it(
    'a record whose source changed starts over: its initial status, no reason, cursor or retry time; ' +
      'attempts kept',
    () => {
      const failed = record(0, 9, 'API_OHLC', 'FAILED');
      Object.assign(failed, { attempts: 3, reason: 'r', lastError: 'e', cursor: '1', nextAttemptAt: new Date(1) });
      const p = plan(routed([0, 9, 'API_TRADES']), [failed]);
      expect(p.update).toEqual([failed]);
      expect(failed).toMatchObject({
        status: 'DETECTED',
        fillability: 'API_TRADES',
        reason: null,
        cursor: null,
        nextAttemptAt: null,
        attempts: 3,
        lastError: 'e',
      });
    },
  );

  it(
    'a record shrunk at its end keeps its status, cursor and retry time; ' + 'moved at its start, it loses its cursor',
    () => {
      const shrunk = record(0, 9, 'API_TRADES', 'FAILED');
      Object.assign(shrunk, { cursor: '1', nextAttemptAt: new Date(1) });
      plan(routed([0, 5, 'API_TRADES']), [shrunk], [{ from: at(6), to: at(9) }]);
      expect(shrunk).toMatchObject({ status: 'FAILED', cursor: '1', nextAttemptAt: new Date(1), missingIntervals: 6 });
      const moved = record(0, 9, 'API_TRADES', 'PARTIAL');
      moved.cursor = '1';
      plan(routed([3, 9, 'API_TRADES']), [moved], [{ from: at(0), to: at(2) }]);
      expect(moved).toMatchObject({ status: 'PARTIAL', cursor: null });
      expect(hours(moved)).toEqual([3, 9, 'API_TRADES', 'PARTIAL']);
    },
  );

  it('an IGNORED record whose source changed stays IGNORED with its reason', () => {
    const ignored = record(0, 9, 'API_OHLC', 'IGNORED');
    const p = plan(routed([0, 9, 'ARCHIVE_ONLY']), [ignored]);
    expect(p.update).toEqual([ignored]);
    expect(ignored).toMatchObject({
      status: 'IGNORED',
      reason: 'test',
      fillability: 'ARCHIVE_ONLY',
      archiveHint: 'hint',
    });
  });

  it('a record being filled is left as it is even where coverage now spans part of it', () => {
    const filling = record(0, 9, 'API_TRADES', 'FILLING');
    const p = plan(routed([5, 9, 'API_TRADES']), [filling], [{ from: at(0), to: at(4) }]);
    expect(hours(filling)).toEqual([0, 9, 'API_TRADES', 'FILLING']);
    expect(p).toMatchObject({ update: [], insert: [], covered: [], merged: [] });
    expect(p.ledger).toEqual([filling]);
  });

  it('names the archive of an archive-only span only', () => {
    const p = plan(routed([0, 9, 'ARCHIVE_ONLY'], [10, 20, 'API_OHLC']), []);
    expect(p.insert.map((g) => g.archiveHint)).toEqual(['hint', null]);
    expect(p.insert[0]).toMatchObject({ assetId: 1, intervalMinutes: 60, kind: 'gap', missingIntervals: 10 });
  });

  it(
    'keeps the ledger invariant over random histories: records = uncovered spans, no overlap, ' +
      'nothing uncovered lost',
    () => {
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      for (let run = 0; run < 200; run++) {
        const windowEnd = 100;
        let covered: Span[] = [];
        let ledger: GapRecord[] = [];
        let boundary = rand(60);
        for (let step = 0; step < 8; step++) {
          const a = rand(windowEnd);
          covered = mergeSpans([...covered, { from: at(a), to: at(Math.min(windowEnd, a + rand(15))) }], H);
          boundary = Math.min(windowEnd, boundary + rand(10)); // the OHLC window moves on
          const spans = subtractSpans({ from: at(0), to: at(windowEnd) }, covered, H).flatMap((g): RoutedSpan[] => {
            const b = at(boundary);
            if (g.to < b) return [{ ...g, fillability: 'API_TRADES' }];
            if (g.from >= b) return [{ ...g, fillability: 'API_OHLC' }];
            return [
              { from: g.from, to: b - H, fillability: 'API_TRADES' },
              { from: b, to: g.to, fillability: 'API_OHLC' },
            ];
          });
          const p = plan(spans, ledger, covered);
          ledger = p.ledger.map((g) => {
            if (g.id === undefined) g.id = nextId++;
            return g;
          });
          const bySpan = ledger
            .map((g) => `${g.startTs.getTime() / 1000}-${g.endTs.getTime() / 1000}-${g.fillability}`)
            .sort();
          expect(bySpan).toEqual(spans.map((s) => `${s.from}-${s.to}-${s.fillability}`).sort());
          expect(
            ledger.reduce(
              (n, g) => n + slots({ from: g.startTs.getTime() / 1000, to: g.endTs.getTime() / 1000 }, H),
              0,
            ),
          ).toBe(spans.reduce((n, s) => n + slots(s, H), 0));
        }
      }
    },
  );
});

describe('reconcileSeriesGaps', () => {
  const now = T + 1000 * H + 1800; // inside the candle at hour 1000
  const input = (start: number, covered: Span[], existing: GapRecord[] = [], tradesBackfill = true) =>
    reconcileSeriesGaps({
      exchange: KRAKEN_CAPABILITIES,
      series: { assetId: 1, intervalMinutes: 60 },
      start,
      covered,
      existing,
      nowSeconds: now,
      now: new Date(now * 1000),
      tradesBackfill,
      archiveHint: () => 'hint',
    });
  // 281: the oldest candle the OHLC endpoint serves
  const boundary = (ohlcWindowStart(KRAKEN_CAPABILITIES, now, 60) - T) / H;

  it(
    'the window runs from the expected start to the last closed candle; ' +
      'its uncovered spans are split at the OHLC window',
    () => {
      const { window, plan } = input(at(0), [{ from: at(100), to: at(500) }]);
      expect(window).toEqual({ from: at(0), to: at(999) });
      expect(plan.insert.map(hours)).toEqual([
        [0, 99, 'API_TRADES', 'DETECTED'],
        [501, 999, 'API_OHLC', 'DETECTED'],
      ]);
      expect(input(at(0), [], [], false).plan.insert.map(hours)).toEqual([
        [0, boundary - 1, 'ARCHIVE_ONLY', 'DETECTED'],
        [boundary, 999, 'API_OHLC', 'DETECTED'],
      ]);
    },
  );

  it('coverage older than the expected start widens the window', () => {
    expect(input(at(10), [{ from: at(5), to: at(6) }]).window).toEqual({ from: at(5), to: at(999) });
  });

  it('no window before the first closed candle: no new records, and records it held are kept', () => {
    const r = record(2000, 2001);
    const { window, plan } = input(at(2000), [], [r]);
    expect(window).toBeNull();
    expect(plan).toMatchObject({ insert: [], update: [], covered: [], ledger: [r] });
  });

  it('expectedWindow and defaultWindowStart', () => {
    expect(expectedWindow(at(1000), [], now, 60)).toBeNull();
    expect(expectedWindow(at(999), [], now, 60)).toEqual({ from: at(999), to: at(999) });
    expect(defaultWindowStart(KRAKEN_CAPABILITIES, now, 60)).toBe(at(boundary));
    expect(defaultWindowStart(KRAKEN_CAPABILITIES, now, 60, 1)).toBe(at(977)); // a day back, aligned up to the interval
  });
});

describe('planExpectedStarts', () => {
  const now = T + 1000 * H + 1800;
  const a = { assetId: 1, intervalMinutes: 60, symbol: 'A-USD-SPOT' };
  const b = { assetId: 2, intervalMinutes: 60, symbol: 'B-USD-SPOT' };

  it('keeps recorded starts; a series not expected yet is expected from its coverage, else the default window', () => {
    const p = planExpectedStarts({
      exchange: KRAKEN_CAPABILITIES,
      series: [a, b],
      recorded: new Map([['1:60', at(5)]]),
      coverage: new Map([
        [
          '2:60',
          [
            { from: at(40), to: at(50) },
            { from: at(20), to: at(30) },
          ],
        ],
      ]),
      now,
    });
    expect([...p.starts]).toEqual([
      ['1:60', at(5)],
      ['2:60', at(20)],
    ]);
    expect(p).toMatchObject({ extended: [], fresh: [{ assetId: 2, intervalMinutes: 60, from: at(20) }], log: [] });
    const fresh = planExpectedStarts({
      exchange: KRAKEN_CAPABILITIES,
      series: [b],
      recorded: new Map(),
      coverage: new Map(),
      now,
      lookbackDays: 2,
    });
    expect(fresh.fresh).toEqual([{ assetId: 2, intervalMinutes: 60, from: at(953) }]);
  });

  it(
    'expectFrom moves a later recorded start back (logged), keeps an earlier one, ' +
      'and expects a new series from it',
    () => {
      const p = planExpectedStarts({
        exchange: KRAKEN_CAPABILITIES,
        series: [a, b, { ...a, assetId: 3, symbol: 'C-USD-SPOT' }],
        recorded: new Map([
          ['1:60', at(50)],
          ['2:60', at(5)],
        ]),
        coverage: new Map(),
        now,
        expectFrom: at(10) - 1,
      });
      expect(p.extended).toEqual([
        { assetId: 1, intervalMinutes: 60, from: at(10) },
        { assetId: 3, intervalMinutes: 60, from: at(10) },
      ]);
      expect(p.fresh).toEqual([]);
      expect(p.log).toEqual([`A-USD-SPOT 60m: expected from ${iso(10)} on (was ${iso(50)})`]);
      expect(p.starts.get('2:60')).toBe(at(5));
    },
  );
});
