import { GapRecord } from './gap-record.entity';
import { StateTransitionError } from './state-transition.error';

const H = 3600;
const T = Date.UTC(2026, 0, 1) / 1000;
const now = new Date('2026-02-01T00:00:00Z');
const series = { assetId: 7, intervalMinutes: 60 };

describe('GapRecord as detection changes it', () => {
  it('detected: a new gap record for a span, with its archive hint only when archive-only', () => {
    const g = GapRecord.detected(series, { from: T, to: T + 9 * H }, 'ARCHIVE_ONLY', now, 'XBTUSD_60.csv in Q1');
    expect(g).toMatchObject({
      assetId: 7,
      intervalMinutes: 60,
      kind: 'gap',
      status: 'DETECTED',
      startTs: new Date(T * 1000),
      endTs: new Date((T + 9 * H) * 1000),
      missingIntervals: 10,
      fillability: 'ARCHIVE_ONLY',
      archiveHint: 'XBTUSD_60.csv in Q1',
      attempts: 0,
      candlesFilled: 0,
      reason: null,
      lastError: null,
      cursor: null,
      nextAttemptAt: null,
      detectedAt: now,
      resolvedAt: null,
    });
    expect(g.id).toBeUndefined();
    expect(GapRecord.detected(series, { from: T, to: T }, 'API_OHLC', now, 'hint').archiveHint).toBeNull();
  });

  it('suspected: a new suspect record with its reason', () => {
    const g = GapRecord.suspected(series, { from: T, to: T + H }, 'API_OHLC', 'no trades but trades', now, null);
    expect(g).toMatchObject({
      kind: 'suspect',
      status: 'SUSPECT',
      reason: 'no trades but trades',
      missingIntervals: 2,
    });
  });

  it('respan: false and untouched when nothing changed', () => {
    const g = GapRecord.detected(series, { from: T, to: T + 9 * H }, 'API_TRADES', now, null);
    g.cursor = '5';
    expect(g.respan({ from: T, to: T + 9 * H }, 'API_TRADES', null)).toBe(false);
    expect(g.cursor).toBe('5');
    expect(g.respan({ from: T, to: T + 4 * H }, 'API_TRADES', null)).toBe(true);
    expect(g).toMatchObject({ cursor: '5', missingIntervals: 5, endTs: new Date((T + 4 * H) * 1000) });
  });

  it('splitOff: an ignored part of an IGNORED record, refused for any other', () => {
    const ignored = GapRecord.detected(series, { from: T, to: T + 9 * H }, 'API_TRADES', now, null);
    ignored.ignore(now, 'delisted then');
    const part = ignored.splitOff({ from: T + 5 * H, to: T + 9 * H }, 'API_TRADES', new Date(0), null);
    expect(part).toMatchObject({
      status: 'IGNORED',
      reason: 'delisted then',
      resolvedAt: now,
      detectedAt: new Date(0),
    });
    const open = GapRecord.detected(series, { from: T, to: T }, 'API_TRADES', now, null);
    expect(() => open.splitOff({ from: T, to: T }, 'API_TRADES', now, null)).toThrow(StateTransitionError);
  });

  it('settleCovered: FILLED with candles, VERIFIED_EMPTY without; an IGNORED record is settled too', () => {
    const filled = GapRecord.detected(series, { from: T, to: T }, 'API_TRADES', now, null);
    filled.ignore(now, 'r');
    filled.settleCovered(3, now);
    expect(filled).toMatchObject({ status: 'FILLED', candlesFilled: 3, resolvedAt: now });
    const empty = GapRecord.detected(series, { from: T, to: T }, 'API_TRADES', now, null);
    empty.settleCovered(0, now);
    expect(empty).toMatchObject({
      status: 'VERIFIED_EMPTY',
      reason: 'covered by a source that had no trade in the span',
      resolvedAt: now,
    });
  });

  it('reroute: another source, the status kept', () => {
    const g = GapRecord.suspected(series, { from: T, to: T }, 'API_OHLC', 'r', now, null);
    g.reroute('ARCHIVE_ONLY', 'hint');
    expect(g).toMatchObject({ status: 'SUSPECT', fillability: 'ARCHIVE_ONLY', archiveHint: 'hint' });
    g.reroute('API_TRADES', 'hint');
    expect(g.archiveHint).toBeNull();
  });
});

describe('GapRecord.splitAt (a trades fill limited to a window)', () => {
  const gap = () => {
    const g = GapRecord.detected(series, { from: T, to: T + 9 * H }, 'API_TRADES', now, null);
    g.status = 'FAILED';
    g.attempts = 2;
    return g;
  };
  const later = new Date('2026-02-02T00:00:00Z');

  it('keeps [start, boundary) and gives [boundary, end] to a new record in its first state', () => {
    const g = gap();
    const recent = g.splitAt(T + 4 * H + 1, later)!; // aligned up to the next hour
    expect([g.startTs, g.endTs, g.missingIntervals]).toEqual([new Date(T * 1000), new Date((T + 4 * H) * 1000), 5]);
    expect(recent).toMatchObject({
      assetId: 7,
      intervalMinutes: 60,
      kind: 'gap',
      status: 'DETECTED',
      attempts: 0,
      startTs: new Date((T + 5 * H) * 1000),
      endTs: new Date((T + 9 * H) * 1000),
      missingIntervals: 5,
      fillability: 'API_TRADES',
      detectedAt: later,
    });
    expect(g.attempts).toBe(2);
    expect(recent.id).toBeUndefined();
  });

  it('moves the trades cursor to the part it points into, and splits nothing at or outside the ends', () => {
    const g = gap();
    g.cursor = `${BigInt(T + 7 * H) * 1_000_000_000n}`;
    const recent = g.splitAt(T + 5 * H, later)!;
    expect([g.cursor, recent.cursor]).toEqual([null, `${BigInt(T + 7 * H) * 1_000_000_000n}`]);
    const h = gap();
    h.cursor = `${BigInt(T + H) * 1_000_000_000n}`;
    expect(h.splitAt(T + 5 * H, later)!.cursor).toBeNull();
    expect(h.cursor).not.toBeNull();
    expect(gap().splitAt(T, later)).toBeNull();
    expect(gap().splitAt(T + 10 * H, later)).toBeNull();
  });
});
