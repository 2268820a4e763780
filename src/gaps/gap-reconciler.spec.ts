import { GapRecord } from '../entities/gap-record.entity';
import { GapStatus, Fillability } from '../common/enums';
import { mergeSpans, slots, subtractSpans } from '../coverage/coverage-math';
import { RoutedSpan } from './fillability';
import { reconcileGaps, ReconcilePlan } from './gap-reconciler';
import { Span } from '../common/series';

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
    stepSeconds: H,
    now: new Date(0),
    create: (span, like) => {
      const g = record((span.from - T) / H, (span.to - T) / H, span.fillability, like?.status ?? 'DETECTED');
      g.id = undefined as unknown as number; // ids come from the writer
      return g;
    },
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

  it('keeps the ledger invariant over random histories: records = uncovered spans, no overlap, nothing uncovered lost', () => {
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
          ledger.reduce((n, g) => n + slots({ from: g.startTs.getTime() / 1000, to: g.endTs.getTime() / 1000 }, H), 0),
        ).toBe(spans.reduce((n, s) => n + slots(s, H), 0));
      }
    }
  });
});
