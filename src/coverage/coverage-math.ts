/**
 * Coverage arithmetic on candle open times (epoch seconds), pure and
 * allocation-light: cost grows with the number of spans, never with candles.
 *
 * A span [from, to] is inclusive of both candle open times and aligned to the
 * interval step `s` (seconds). Two spans "touch" when one ends one step
 * before the other starts: [a, b] and [b + s, c] merge into [a, c].
 */

import { Span } from '../common/series';

export function alignDown(ts: number, step: number): number {
  return Math.floor(ts / step) * step;
}

export function alignUp(ts: number, step: number): number {
  return Math.ceil(ts / step) * step;
}

/** Number of candle slots in an inclusive span. */
export function slots(span: Span, step: number): number {
  return span.to < span.from ? 0 : Math.floor((span.to - span.from) / step) + 1;
}

/** Sorted, merged copy: overlapping or touching spans become one. */
export function mergeSpans(spans: readonly Span[], step: number): Span[] {
  const sorted = spans.filter((s) => s.from <= s.to).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to + step) {
      if (s.to > last.to) last.to = s.to;
    } else {
      out.push({ from: s.from, to: s.to });
    }
  }
  return out;
}

/**
 * `window` minus the union of `covered`: the uncovered spans inside the
 * window, ascending. `covered` need not be sorted or merged.
 */
export function subtractSpans(window: Span, covered: readonly Span[], step: number): Span[] {
  if (window.to < window.from) return [];
  const merged = mergeSpans(covered, step);
  const gaps: Span[] = [];
  let cursor = window.from;
  for (const c of merged) {
    if (c.to < cursor) continue;
    if (c.from > window.to) break;
    if (c.from > cursor) gaps.push({ from: cursor, to: Math.min(c.from - step, window.to) });
    cursor = Math.max(cursor, c.to + step);
    if (cursor > window.to) break;
  }
  if (cursor <= window.to) gaps.push({ from: cursor, to: window.to });
  return gaps;
}

/** Intersection of two spans, or null. */
export function intersect(a: Span, b: Span): Span | null {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : null;
}

/** True when the union of `covered` contains every slot of `span`. */
export function isCovered(span: Span, covered: readonly Span[], step: number): boolean {
  return subtractSpans(span, covered, step).length === 0;
}

/**
 * Splits a span at `boundary` (an aligned open time): the part before it and
 * the part from it on. Either may be null.
 */
export function splitAt(span: Span, boundary: number, step: number): { before: Span | null; after: Span | null } {
  if (boundary <= span.from) return { before: null, after: span };
  if (boundary > span.to) return { before: span, after: null };
  return { before: { from: span.from, to: boundary - step }, after: { from: boundary, to: span.to } };
}
