import { Injectable } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { AssetRepository } from '../assets/asset.repository';
import { GapRepository } from '../gaps/gap.repository';
import { Clock } from '../common/clock';
import {
  Fillability,
  FILLABILITIES,
  GapKind,
  GapStatus,
  INTERVALS,
  OPEN_GAP_STATUSES,
  Tier,
  TIERS,
} from '../common/enums';
import { alignUp, intersect, mergeSpans, slots, subtractSpans } from '../coverage/coverage-math';
import { CoverageRepository } from '../coverage/coverage.repository';
import { isStale } from '../coverage/staleness-rule';
import { SeriesRepository } from '../coverage/series.repository';
import { lastClosedCandle } from '../gaps/fillability';
import { seriesKey, Span } from '../common/series';
import { isoOfSeconds, toSeconds } from '../common/time';

export const DEFAULT_STALE_HOURS = 24;

export interface ReportOptions {
  tier?: Tier;
  intervals?: readonly number[];
  /** Only these assets (any accepted symbol form), active or not. */
  symbols?: readonly string[];
  since?: Date;
  staleHours?: number;
  /** Include the per-series timeline (covered spans and gap records), for the HTML rendering. */
  timelines?: boolean;
}

export interface TimelineGap {
  from: string;
  to: string;
  status: GapStatus;
  fillability: Fillability;
  kind: GapKind;
}

export interface SeriesReport {
  symbol: string;
  tier: Tier;
  interval: number;
  first: string | null;
  last: string | null;
  window_start: string | null;
  window_end: string;
  /** Covered share of the expected window, IGNORED spans left out of it. */
  coverage_pct: number;
  open_gaps: number;
  /**
   * Uncovered intervals of the window, IGNORED ones left out (whether or not a gap record was detected for them yet).
   */
  missing_intervals: number;
  /** Open suspect records: covered spans without candles whose "no trades" is contradicted, still to verify. */
  suspect_gaps: number;
  /** IGNORED records and the intervals they stand for, counted apart and kept out of completeness. */
  ignored_gaps: number;
  ignored_intervals: number;
  intervals_behind: number;
  stale: boolean;
  /** Covered over the whole window (IGNORED spans aside), with no open gap and no suspect record. */
  complete: boolean;
  timeline?: { covered: Array<{ from: string; to: string }>; gaps: TimelineGap[] };
}

export interface IntervalReport {
  interval: number;
  series: number;
  complete_series: number;
  completeness_pct: number;
  open_gaps: number;
  open_gaps_by_fillability: Record<Fillability, number>;
  missing_intervals_by_fillability: Record<Fillability, number>;
  suspect_gaps: number;
  ignored_gaps: number;
  stale_series: number;
  complete: boolean;
}

export interface TierReport {
  tier: Tier;
  series: number;
  complete_series: number;
  completeness_pct: number;
  complete: boolean;
  intervals: IntervalReport[];
}

export interface CompletenessReport {
  generated_at: string;
  since: string | null;
  stale_hours: number;
  summary: {
    series: number;
    /** Series complete (see SeriesReport.complete): a count of series, not of intervals. */
    complete_series: number;
    /** Intervals covered over intervals expected, all series together. */
    completeness_pct: number;
    open_gaps: number;
    missing_intervals: number;
    suspect_gaps: number;
    ignored_gaps: number;
    stale_series: number;
  };
  tiers: TierReport[];
  series: SeriesReport[];
}

const pct = (covered: number, total: number) => (total === 0 ? 100 : Math.floor((covered / total) * 100_000) / 1000);
const byFillability = () => Object.fromEntries(FILLABILITIES.map((f) => [f, 0])) as Record<Fillability, number>;

/**
 * Completeness per tier and interval, and per series, computed from the
 * expected series, coverage ranges and gap records only (a few queries,
 * whatever the candle count). The series are the expected ones (`series`);
 * what is missing is computed from coverage over each whole expected window,
 * so a window never detected yet counts as missing too.
 */
@Injectable()
export class CompletenessReportService {
  constructor(
    private readonly assets: AssetRepository,
    private readonly catalog: AssetCatalogService,
    private readonly coverage: CoverageRepository,
    private readonly expected: SeriesRepository,
    private readonly gapSpans: GapRepository,
    private readonly clock: Clock,
  ) {}

  async build(opts: ReportOptions = {}): Promise<CompletenessReport> {
    const now = this.clock.nowSeconds();
    const staleHours = opts.staleHours ?? DEFAULT_STALE_HOURS;
    const since = opts.since ? toSeconds(opts.since) : undefined;
    const named = opts.symbols?.length ? (await this.catalog.resolveAll(opts.symbols)).map((a) => a.id) : undefined;
    const assets = await this.assets.findAll({ tier: opts.tier, ...(named ? { ids: named } : { active: true }) });
    const byId = new Map(assets.map((a) => [a.id, a]));
    const assetIds = assets.map((a) => a.id);
    const intervals: readonly number[] = opts.intervals?.length ? [...new Set(opts.intervals)] : INTERVALS;
    const [expected, spans, gaps] = await Promise.all([
      this.expected.startsOf(assetIds, intervals),
      this.coverage.spansFor(assetIds, intervals),
      this.gapSpans.gapSpans(assetIds, intervals, opts.timelines ?? false),
    ]);
    const gapsBySeries = new Map<string, typeof gaps>();
    for (const g of gaps) {
      const key = seriesKey(g);
      const list = gapsBySeries.get(key);
      if (list) list.push(g);
      else gapsBySeries.set(key, [g]);
    }
    for (const list of gapsBySeries.values()) if (list.length > 1) list.sort((a, b) => a.from - b.from);
    const selection = expected.map((e) => ({
      asset: byId.get(e.assetId)!,
      intervalMinutes: e.intervalMinutes,
      expectedFrom: e.from,
    }));

    const rows: Array<
      SeriesReport & { covered_slots: number; window_slots: number; gaps_by: Record<Fillability, [number, number]> }
    > = [];
    for (const { asset, intervalMinutes, expectedFrom } of selection) {
      const step = intervalMinutes * 60;
      const key = seriesKey({ assetId: asset.id, intervalMinutes });
      const covered = mergeSpans(spans.get(key) ?? [], step);
      const seriesGaps = gapsBySeries.get(key) ?? [];
      const openGaps: typeof seriesGaps = [];
      const openSuspects: typeof seriesGaps = [];
      const ignored: typeof seriesGaps = [];
      for (const g of seriesGaps) {
        if (g.status === 'IGNORED') ignored.push(g);
        else if (OPEN_GAP_STATUSES.includes(g.status)) (g.kind === 'gap' ? openGaps : openSuspects).push(g);
      }
      const lastClosed = lastClosedCandle(now, intervalMinutes);
      const first = covered[0]?.from ?? null;
      const last = covered.length ? covered[covered.length - 1]!.to : null;
      const seriesStart = first === null ? expectedFrom : Math.min(first, expectedFrom);
      // --since moves the start later, never earlier.
      const start = since !== undefined ? Math.max(seriesStart, alignUp(since, step)) : seriesStart;
      const window: Span = { from: start, to: lastClosed };
      const windowSlots = slots(window, step);
      const inWindow = (g: { from: number; to: number }) => intersect(g, window);
      const ignoredSpans = ignored.flatMap((g) => (g.kind === 'gap' && inWindow(g) ? [inWindow(g)!] : []));
      const ignoredSlots = ignoredSpans.reduce((n, g) => n + slots(g, step), 0);
      // Uncovered, not ignored: from coverage over the whole window, whatever the gap records say.
      const missing =
        windowSlots === 0
          ? 0
          : ignoredSpans.length
            ? subtractSpans(window, [...covered, ...ignoredSpans], step).reduce((n, g) => n + slots(g, step), 0)
            : windowSlots -
              covered.reduce((n, c) => n + (intersect(c, window) ? slots(intersect(c, window)!, step) : 0), 0);
      const expectedSlots = windowSlots - ignoredSlots;
      const coveredSlots = expectedSlots - missing;
      const coveragePct = pct(coveredSlots, expectedSlots);
      const behind = last === null ? windowSlots : Math.max(0, Math.round((lastClosed - last) / step));
      const gapsBy = Object.fromEntries(FILLABILITIES.map((f) => [f, [0, 0]])) as Record<Fillability, [number, number]>;
      // Open gaps and their missing intervals count within the window (--since), like coverage does.
      let openInWindow = 0;
      for (const g of openGaps) {
        const part = inWindow(g);
        if (!part) continue;
        openInWindow++;
        gapsBy[g.fillability][0]++;
        gapsBy[g.fillability][1] += slots(part, step);
      }
      const suspects = openSuspects.filter((g) => inWindow(g)).length;
      rows.push({
        symbol: asset.symbol,
        tier: asset.tier,
        interval: intervalMinutes,
        first: first === null ? null : isoOfSeconds(first),
        last: last === null ? null : isoOfSeconds(last),
        window_start: windowSlots > 0 ? isoOfSeconds(window.from) : null,
        window_end: isoOfSeconds(lastClosed),
        coverage_pct: coveragePct,
        open_gaps: openInWindow,
        missing_intervals: missing,
        suspect_gaps: suspects,
        ignored_gaps: ignored.filter((g) => inWindow(g)).length,
        ignored_intervals: ignoredSlots,
        intervals_behind: behind,
        stale: isStale(last, lastClosed, staleHours),
        complete: missing === 0 && openInWindow === 0 && suspects === 0,
        ...(opts.timelines
          ? {
              timeline: {
                covered: covered.map((c) => ({ from: isoOfSeconds(c.from), to: isoOfSeconds(c.to) })),
                gaps: seriesGaps.map((g) => ({
                  from: isoOfSeconds(g.from),
                  to: isoOfSeconds(g.to),
                  status: g.status,
                  fillability: g.fillability,
                  kind: g.kind,
                })),
              },
            }
          : {}),
        covered_slots: coveredSlots,
        window_slots: expectedSlots,
        gaps_by: gapsBy,
      });
    }
    rows.sort(
      (a, b) =>
        TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) || a.symbol.localeCompare(b.symbol) || a.interval - b.interval,
    );

    const tiers: TierReport[] = [];
    for (const tier of TIERS) {
      const inTier = rows.filter((r) => r.tier === tier);
      if (!inTier.length) continue;
      const intervalReports: IntervalReport[] = [...new Set(inTier.map((r) => r.interval))]
        .sort((a, b) => a - b)
        .map((interval) => {
          const rs = inTier.filter((r) => r.interval === interval);
          const openBy = byFillability();
          const missingBy = byFillability();
          for (const r of rs)
            for (const f of FILLABILITIES) {
              openBy[f] += r.gaps_by[f][0];
              missingBy[f] += r.gaps_by[f][1];
            }
          const completeSeries = rs.filter((r) => r.complete).length;
          return {
            interval,
            series: rs.length,
            complete_series: completeSeries,
            completeness_pct: pct(sum(rs, 'covered_slots'), sum(rs, 'window_slots')),
            open_gaps: sum(rs, 'open_gaps'),
            open_gaps_by_fillability: openBy,
            missing_intervals_by_fillability: missingBy,
            suspect_gaps: sum(rs, 'suspect_gaps'),
            ignored_gaps: sum(rs, 'ignored_gaps'),
            stale_series: rs.filter((r) => r.stale).length,
            complete: completeSeries === rs.length,
          };
        });
      const completeSeries = inTier.filter((r) => r.complete).length;
      tiers.push({
        tier,
        series: inTier.length,
        complete_series: completeSeries,
        completeness_pct: pct(sum(inTier, 'covered_slots'), sum(inTier, 'window_slots')),
        complete: completeSeries === inTier.length,
        intervals: intervalReports,
      });
    }

    const series: SeriesReport[] = rows.map(({ covered_slots: _c, window_slots: _w, gaps_by: _g, ...r }) => r);
    return {
      generated_at: this.clock.now().toISOString(),
      since: since === undefined ? null : isoOfSeconds(since),
      stale_hours: staleHours,
      summary: {
        series: rows.length,
        complete_series: rows.filter((r) => r.complete).length,
        completeness_pct: pct(sum(rows, 'covered_slots'), sum(rows, 'window_slots')),
        open_gaps: sum(rows, 'open_gaps'),
        missing_intervals: sum(rows, 'missing_intervals'),
        suspect_gaps: sum(rows, 'suspect_gaps'),
        ignored_gaps: sum(rows, 'ignored_gaps'),
        stale_series: rows.filter((r) => r.stale).length,
      },
      tiers,
      series,
    };
  }
}

function sum<T, K extends keyof T>(rows: readonly T[], key: K): number {
  return rows.reduce((n, r) => n + (r[key] as number), 0);
}
