/**
 * Gap detection's pure part (no I/O, no Nest; GapDetectorService does the
 * reading and writing around it): the expected start and window of each
 * series, its uncovered spans labelled by fillability, and what they change
 * in its gap records.
 */
import { GapRecord } from '../entities/gap-record.entity';
import { alignUp, intersect, isCovered, subtractSpans } from '../coverage/coverage-math';
import { lastClosedCandle, ohlcWindowStart, route, RoutedSpan } from './fillability';
import { SeriesKey, seriesKey, SeriesRef, Span } from '../common/series';
import { ExpectedStart } from '../coverage/series.repository';
import { ExchangeCapabilities } from '../sources/exchange-capabilities';
import { isoOfSeconds, toSeconds } from '../common/time';

const DAY = 86_400;

export interface StartsInput {
  /** The exchange the series come from: its OHLC window starts the default expected window. */
  exchange: ExchangeCapabilities;
  /** The series to detect gaps of (the symbol names them in the log lines). */
  series: readonly SeriesRef[];
  /** The expected starts already recorded (epoch seconds), by seriesKey(). */
  recorded: ReadonlyMap<string, number>;
  /** The series' coverage, by seriesKey(). */
  coverage: ReadonlyMap<string, readonly Span[]>;
  /** Epoch seconds. */
  now: number;
  /** Where the window of a series not expected yet starts, in days before now (default: the OHLC window). */
  lookbackDays?: number;
  /** Extends the window of every series back to this instant (epoch seconds). */
  expectFrom?: number;
}

export interface StartsPlan {
  /** Every series' expected start after the plan, by seriesKey(). */
  starts: Map<string, number>;
  /** Series expected from earlier than recorded (`expectFrom`), to record. */
  extended: ExpectedStart[];
  /** Series not expected yet, to record unless another process did first. */
  fresh: ExpectedStart[];
  /** One line per series whose recorded start moved back. */
  log: string[];
}

/**
 * The expected start of each series: the recorded one, moved back to
 * `expectFrom` when that is earlier; for a series not expected yet, the
 * start of its coverage (a series held before it was expected is expected
 * from its coverage on), else the default window.
 */
export function planExpectedStarts(input: StartsInput): StartsPlan {
  const starts = new Map(input.recorded);
  const plan: StartsPlan = { starts, extended: [], fresh: [], log: [] };
  if (input.expectFrom !== undefined) {
    for (const s of input.series) {
      const key = seriesKey(s);
      const from = alignUp(input.expectFrom, s.intervalMinutes * 60);
      const known = starts.get(key);
      if (known !== undefined && known <= from) continue;
      if (known !== undefined)
        plan.log.push(
          `${s.symbol} ${s.intervalMinutes}m: expected from ${isoOfSeconds(from)} on (was ${isoOfSeconds(known)})`,
        );
      plan.extended.push({ assetId: s.assetId, intervalMinutes: s.intervalMinutes, from });
      starts.set(key, from);
    }
  }
  for (const s of input.series) {
    const key = seriesKey(s);
    if (starts.has(key)) continue;
    // A series held but not expected yet (coverage written before it was) is expected from its coverage on,
    // as the migration that introduced expected series did; one held by nothing gets the default window.
    const covered = input.coverage.get(key) ?? [];
    const from = covered.length
      ? Math.min(...covered.map((c) => c.from))
      : defaultWindowStart(input.exchange, input.now, s.intervalMinutes, input.lookbackDays);
    plan.fresh.push({ assetId: s.assetId, intervalMinutes: s.intervalMinutes, from });
    starts.set(key, from);
  }
  return plan;
}

/**
 * Where the expected window of a series not expected yet starts: `lookbackDays` before now, else the OHLC window's
 * start.
 */
export function defaultWindowStart(
  exchange: ExchangeCapabilities,
  now: number,
  intervalMinutes: number,
  lookbackDays?: number,
): number {
  const step = intervalMinutes * 60;
  if (lookbackDays !== undefined) return alignUp(now - lookbackDays * DAY, step);
  return ohlcWindowStart(exchange, now, intervalMinutes);
}

/** [series start, last closed candle]: the start is the series' expected start (or its coverage, if earlier). */
export function expectedWindow(
  start: number,
  covered: readonly Span[],
  now: number,
  intervalMinutes: number,
): Span | null {
  const from = covered.reduce((m, s) => Math.min(m, s.from), start);
  const last = lastClosedCandle(now, intervalMinutes);
  return from <= last ? { from, to: last } : null;
}

export interface SeriesGapsInput {
  /** The exchange the series comes from: where its OHLC window starts. */
  exchange: ExchangeCapabilities;
  series: SeriesKey;
  /** The series' expected start (planExpectedStarts). */
  start: number;
  /** The series' coverage (any order). */
  covered: readonly Span[];
  /** The series' ledger records of kind `gap` (open and IGNORED), any order. */
  existing: readonly GapRecord[];
  /** Epoch seconds: where the expected window ends and the OHLC window starts. */
  nowSeconds: number;
  /** When new records are detected and merged ones resolved. */
  now: Date;
  /** Whether spans before the OHLC window can be rebuilt from trades (else only an archive has them). */
  tradesBackfill: boolean;
  /** The archive hint of an ARCHIVE_ONLY span. */
  archiveHint: (span: Span) => string | null;
}

/**
 * The gaps of one series and what they change in its records: its expected
 * window minus its coverage, split at the OHLC window boundary and labelled
 * by fillability, reconciled with its records (reconcileGaps). Pure.
 */
export function reconcileSeriesGaps(input: SeriesGapsInput): { window: Span | null; plan: ReconcilePlan } {
  const { series, covered, nowSeconds } = input;
  const step = series.intervalMinutes * 60;
  const window = expectedWindow(input.start, covered, nowSeconds, series.intervalMinutes);
  const routed = window
    ? subtractSpans(window, covered, step).flatMap((g) =>
        route(input.exchange, g, nowSeconds, series.intervalMinutes, input.tradesBackfill),
      )
    : [];
  const plan = reconcileGaps({
    routed,
    covered,
    existing: input.existing,
    series,
    stepSeconds: step,
    now: input.now,
    archiveHint: input.archiveHint,
  });
  return { window, plan };
}

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
  /** The series new records are created for. */
  series: SeriesKey;
  stepSeconds: number;
  /** When new records are detected and merged ones resolved. */
  now: Date;
  /** The archive hint of an ARCHIVE_ONLY span. */
  archiveHint: (span: Span) => string | null;
}

const spanOf = (g: GapRecord): Span => ({ from: toSeconds(g.startTs), to: toSeconds(g.endTs) });
const fmt = (s: Span) => `${isoOfSeconds(s.from)}..${isoOfSeconds(s.to)}`;

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
      const created = detected(f, input);
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
          const copy = p.splitOff(part, part.fillability, now, hintFor(part, input));
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
      const created = detected(f, input);
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

/** The archive hint of a span that only an archive can fill; null for the others. */
function hintFor(span: RoutedSpan, input: ReconcileInput): string | null {
  return span.fillability === 'ARCHIVE_ONLY' ? input.archiveHint(span) : null;
}

function detected(span: RoutedSpan, input: ReconcileInput): GapRecord {
  return GapRecord.detected(input.series, span, span.fillability, input.now, hintFor(span, input));
}

/** Re-spans a record to `span`; false when nothing changed (so nothing is written). */
function respan(gap: GapRecord, span: RoutedSpan, input: ReconcileInput): boolean {
  return gap.respan(span, span.fillability, hintFor(span, input));
}
