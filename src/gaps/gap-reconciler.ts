import { GapRecord } from '../entities/gap-record.entity';
import { Fillability } from '../common/enums';
import { intersect, isCovered, slots, subtractSpans } from '../coverage/coverage-math';
import { RoutedSpan } from './fillability';
import { Span } from '../common/series';

const toSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
const toDate = (s: number) => new Date(s * 1000);

/** What reconciling one series' gap records with its current uncovered spans changes. */
export interface ReconcilePlan {
  /** Existing records whose span, fillability or status changed. */
  update: GapRecord[];
  /** New records (uncovered spans no record stood for, or parts split off a record). */
  insert: GapRecord[];
  /** Records whose whole span is covered now: to settle as FILLED or VERIFIED_EMPTY (the store tells). */
  covered: GapRecord[];
  /** Records absorbed by an adjacent record of the same fillability (already marked MERGED). */
  merged: GapRecord[];
  /** The series' ledger records after the plan, oldest first (covered and merged ones left out). */
  ledger: GapRecord[];
  /** One line per split, merge or hand-over, naming the record ids (logged by the caller). */
  log: string[];
}

export interface ReconcileInput {
  /** The uncovered spans of the expected window, split where fillability changes, ascending. */
  routed: readonly RoutedSpan[];
  /** The series' coverage (any order). */
  covered: readonly Span[];
  /** The series' ledger records of kind `gap` (open and IGNORED), any order. */
  existing: readonly GapRecord[];
  stepSeconds: number;
  now: Date;
  /** A new record for a span (DETECTED, or `like`'s status and reason for a part split off an IGNORED record). */
  create(span: RoutedSpan, like?: GapRecord): GapRecord;
  /** The archive hint of an ARCHIVE_ONLY span. */
  archiveHint(span: RoutedSpan): string | null;
}

const spanOf = (g: GapRecord): Span => ({ from: toSeconds(g.startTs), to: toSeconds(g.endTs) });
const fmt = (s: Span) => `${toDate(s.from).toISOString()}..${toDate(s.to).toISOString()}`;

/**
 * Reconciles one series' gap records with its uncovered spans so that the
 * ledger invariant holds after it: the records' spans are exactly the
 * uncovered spans, without overlap. Pure (no I/O), synchronous.
 *
 * - A record being filled (FILLING) belongs to its filler: left as it is, its
 *   span taken out of what the others share.
 * - An IGNORED record keeps standing for the uncovered parts of its span (the
 *   first part keeps the record, further parts get IGNORED copies); covered
 *   whole, it is settled.
 * - Every other uncovered span gets exactly one record: the record already
 *   overlapping it that starts where it starts with its fillability, else one
 *   with its fillability, else the first overlapping one — re-spanned to it,
 *   which only grows it, shrinks it where coverage now spans, or hands a part
 *   to the neighbour that now stands for it (the OHLC window moved on); the
 *   hand-over is logged with both ids.
 * - A record overlapping an uncovered span another record stands for is
 *   MERGED into that one (named in its reason); a record no uncovered span
 *   overlaps is covered (settled by the caller); a record split by new
 *   coverage keeps its first part and the others get new records (logged).
 */
export function reconcileGaps(input: ReconcileInput): ReconcilePlan {
  const { stepSeconds: step, now } = input;
  const plan: ReconcilePlan = { update: [], insert: [], covered: [], merged: [], ledger: [], log: [] };
  const existing = isSorted(input.existing)
    ? input.existing
    : [...input.existing].sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
  // The common cases in O(n): a series seen for the first time, and one whose records still match its spans.
  if (existing.length === 0) {
    for (const f of input.routed) {
      const created = input.create(f);
      plan.insert.push(created);
      plan.ledger.push(created);
    }
    return plan;
  }
  if (unchanged(existing, input.routed)) {
    plan.ledger = [...existing];
    return plan;
  }
  const pinned = existing.filter((g) => g.status === 'FILLING' || g.status === 'IGNORED');
  const active = existing.filter((g) => g.status !== 'FILLING' && g.status !== 'IGNORED');
  const spans = new Map<GapRecord, Span>(existing.map((g) => [g, spanOf(g)]));

  // What pinned records stand for is theirs; the rest of the uncovered spans is shared out below.
  let free: RoutedSpan[] = [...input.routed];
  for (const p of pinned) {
    const span = spans.get(p)!;
    if (p.status === 'IGNORED') {
      const parts = free.flatMap((f) => {
        const part = intersect(f, span);
        return part ? [{ ...part, fillability: f.fillability }] : [];
      });
      if (parts.length === 0) plan.covered.push(p);
      else {
        if (respan(p, parts[0]!, input)) plan.update.push(p);
        plan.ledger.push(p);
        for (const part of parts.slice(1)) {
          const copy = input.create(part, p);
          plan.insert.push(copy);
          plan.ledger.push(copy);
          plan.log.push(`ignored gap ${p.id} split by new coverage: a new ignored record stands for ${fmt(part)}`);
        }
      }
    } else {
      plan.ledger.push(p);
    }
    free = free.flatMap((f) => subtractSpans(f, [span], step).map((s) => ({ ...s, fillability: f.fillability })));
  }

  const used = new Set<GapRecord>();
  const keeperOf: Array<{ span: RoutedSpan; record: GapRecord }> = [];
  for (const f of free) {
    const overlapping = active.filter((g) => !used.has(g) && intersect(spans.get(g)!, f));
    const keeper =
      overlapping.find((g) => g.fillability === f.fillability && spans.get(g)!.from === f.from) ??
      overlapping.find((g) => g.fillability === f.fillability) ??
      overlapping[0];
    if (!keeper) {
      const created = input.create(f);
      plan.insert.push(created);
      plan.ledger.push(created);
      keeperOf.push({ span: f, record: created });
      const splitFrom = active.find((g) => used.has(g) && intersect(spans.get(g)!, f));
      if (splitFrom) plan.log.push(`gap ${splitFrom.id} split by new coverage: a new record stands for ${fmt(f)}`);
      continue;
    }
    used.add(keeper);
    const before = spans.get(keeper)!;
    if (respan(keeper, f, input)) plan.update.push(keeper);
    plan.ledger.push(keeper);
    keeperOf.push({ span: f, record: keeper });
    // A part of the keeper's old span that is still uncovered but now outside its span went to another record.
    for (const moved of subtractSpans(before, [f], step)) {
      const to = keeperOf.find((k) => k.record !== keeper && intersect(k.span, moved));
      if (to)
        plan.log.push(
          `gap ${keeper.id} handed ${fmt(moved)} to gap ${to.record.id === undefined ? '(new)' : to.record.id}`,
        );
    }
  }

  for (const g of active) {
    if (used.has(g)) continue;
    const span = spans.get(g)!;
    const into = keeperOf.find((k) => intersect(k.span, span));
    if (into) {
      g.mergeInto(into.record, now);
      plan.merged.push(g);
      plan.log.push(`gap ${g.id} merged into gap ${into.record.id ?? '(new)'}, which now stands for ${fmt(into.span)}`);
    } else if (isCovered(span, input.covered, step)) {
      plan.covered.push(g);
    } else {
      // Outside the expected window and uncovered: nothing stands for it in this run; kept as it is.
      plan.ledger.push(g);
    }
  }
  plan.ledger.sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
  return plan;
}

function isSorted(records: readonly GapRecord[]): boolean {
  for (let i = 1; i < records.length; i++)
    if (records[i - 1]!.startTs.getTime() > records[i]!.startTs.getTime()) return false;
  return true;
}

/** Every record stands for exactly one routed span, in order, and none is pinned: nothing to change. */
function unchanged(existing: readonly GapRecord[], routed: readonly RoutedSpan[]): boolean {
  if (existing.length !== routed.length) return false;
  for (let i = 0; i < existing.length; i++) {
    const g = existing[i]!;
    const r = routed[i]!;
    if (g.status === 'FILLING' || g.status === 'IGNORED' || g.fillability !== r.fillability) return false;
    if (toSeconds(g.startTs) !== r.from || toSeconds(g.endTs) !== r.to) return false;
  }
  return true;
}

/** Re-spans a record to `span`; false when nothing changed (so nothing is written). */
function respan(gap: GapRecord, span: RoutedSpan, input: ReconcileInput): boolean {
  const from = toSeconds(gap.startTs);
  const to = toSeconds(gap.endTs);
  if (from === span.from && to === span.to && gap.fillability === span.fillability) return false;
  if (gap.fillability !== span.fillability && gap.status !== 'IGNORED') {
    // A different source now applies (the OHLC window moved on, or trades backfill was switched).
    gap.status = gap.initialStatus;
    gap.reason = null;
    gap.cursor = null;
    gap.nextAttemptAt = null;
  }
  if (from !== span.from) gap.cursor = null; // a trades cursor belongs to the old start
  gap.startTs = toDate(span.from);
  gap.endTs = toDate(span.to);
  gap.fillability = span.fillability as Fillability;
  gap.missingIntervals = slots(span, input.stepSeconds);
  gap.archiveHint = span.fillability === 'ARCHIVE_ONLY' ? input.archiveHint(span) : null;
  return true;
}
