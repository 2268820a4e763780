import { Inject, Injectable, Logger } from '@nestjs/common';
import { AssetRepository } from '../assets/asset.repository';
import { CandleBucket, CandleStore } from '../candles/candle-store';
import { fixedBucket } from '../common/aggregation-window';
import { Clock } from '../common/clock';
import { Asset } from '../entities/asset.entity';
import { AppConfig } from '../config/app-config';
import { GapRecord } from '../entities/gap-record.entity';
import { alignDown, intersect, mergeSpans, slots } from '../coverage/coverage-math';
import { CoverageRepository, rangeSpan } from '../coverage/coverage.repository';
import { archiveHint, route } from './fillability';
import { GapRepository } from './gap.repository';
import { SeriesRef, Span } from '../common/series';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';
import { toSeconds } from '../common/time';

/** A span to flag as suspect, with why. */
export interface SuspectSpan extends Span {
  reason: string;
}

/** The loaded spans of a series this run (the cross-interval check looks there). */
export interface LoadedSeries {
  series: SeriesRef;
  spans: Span[];
}

const DAY = 86_400;
const WEEK = 7 * DAY;
const iso = (s: number) => new Date(s * 1000).toISOString();

/**
 * "No trades" proven or flagged (README): records covered spans without
 * candles whose emptiness something contradicts as `suspect` records — an
 * implausible empty run inside a file (found while loading it), or another
 * interval of the same asset showing trades there — and settles open ones
 * once candles for them arrive. Backfill verifies the rest at the source.
 */
@Injectable()
export class SuspectService {
  private readonly logger = new Logger(SuspectService.name);

  constructor(
    private readonly gaps: GapRepository,
    private readonly candles: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly assets: AssetRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
  ) {}

  /**
   * After a file of the series was loaded: flags its implausible empty runs,
   * and settles open suspects inside its span that now hold candles (FILLED:
   * this file had what another lacked).
   */
  async afterLoad(
    series: SeriesRef,
    fileSpan: Span,
    runs: ReadonlyArray<Span & { missing: number; tradesPerCandle: number }>,
    /** What the file proves: a suspect is a covered span (a slot a rejected row left unknown is a gap instead). */
    fileCoverage: readonly Span[],
  ): Promise<void> {
    const existing = await this.gaps.suspectsOf(series);
    const settled: GapRecord[] = [];
    for (const g of existing) {
      if (g.isResolved || g.status === 'IGNORED' || g.status === 'FILLING') continue;
      const span = { from: toSeconds(g.startTs), to: toSeconds(g.endTs) };
      if (!intersect(span, fileSpan)) continue;
      const stored = await this.candles.count(series, span);
      if (stored > 0) {
        g.markFilled(stored, this.clock.now());
        settled.push(g);
      }
    }
    if (settled.length) await this.gaps.saveAll(settled);
    const step = series.intervalMinutes * 60;
    await this.flag(
      series,
      runs.flatMap((r) =>
        fileCoverage.flatMap((c) => {
          const part = intersect(r, c);
          if (!part) return [];
          const reason =
            `${r.missing} candle(s) missing in a row inside the file while the candles around hold ` +
            `~${r.tradesPerCandle} trades each`;
          return [
            { ...part, reason: slots(part, step) === r.missing ? reason : `${reason} (the part the file covers)` },
          ];
        }),
      ),
      existing,
    );
  }

  /**
   * Routes open suspects again: they are routed when flagged, but the OHLC
   * window moves on and TRADES_BACKFILL may change. A suspect goes by its
   * start (inside the OHLC window: one OHLC request verifies it).
   */
  async reroute(asset: Asset, suspects: readonly GapRecord[]): Promise<void> {
    const now = this.clock.nowSeconds();
    const changed: GapRecord[] = [];
    for (const g of suspects) {
      const start = toSeconds(g.startTs);
      const [routed] = route(
        this.exchange,
        { from: start, to: start },
        now,
        g.intervalMinutes,
        this.config.backfill.fromTrades,
      );
      if (!routed || routed.fillability === g.fillability) continue;
      g.reroute(
        routed.fillability,
        routed.fillability === 'ARCHIVE_ONLY'
          ? archiveHint(this.exchange, asset.altname ?? asset.nativeSymbol, g.intervalMinutes, {
              from: start,
              to: toSeconds(g.endTs),
            })
          : null,
      );
      changed.push(g);
    }
    if (changed.length) await this.gaps.saveAll(changed);
  }

  /**
   * Cross-interval contradictions over what this run loaded: for every pair of
   * intervals of an asset where one divides the other, a coarse bucket both
   * series cover where the coarse candle is absent while the finer candles
   * hold trades (the coarse slot is suspect), or the coarse candle holds
   * trades while every finer candle is absent (the finer slots are suspect).
   */
  async crossCheck(loaded: readonly LoadedSeries[]): Promise<number> {
    let flagged = 0;
    const byAsset = new Map<number, LoadedSeries[]>();
    for (const l of loaded) byAsset.set(l.series.assetId, [...(byAsset.get(l.series.assetId) ?? []), l]);
    for (const [assetId, list] of byAsset) {
      const held = await this.coverage.coveredSeries([assetId]);
      const intervals = held.map((h) => h.intervalMinutes);
      const symbol = list[0]!.series.symbol;
      for (const l of list) {
        for (const other of intervals) {
          const mine = l.series.intervalMinutes;
          if (other === mine) continue;
          const [fine, coarse] = mine < other ? [mine, other] : [other, mine];
          if ((coarse * 60) % (fine * 60) !== 0) continue;
          flagged += await this.checkPair(
            { assetId, symbol, intervalMinutes: fine },
            { assetId, symbol, intervalMinutes: coarse },
            l.spans,
          );
        }
      }
    }
    return flagged;
  }

  private async checkPair(fine: SeriesRef, coarse: SeriesRef, spans: readonly Span[]): Promise<number> {
    const sF = fine.intervalMinutes * 60;
    const sC = coarse.intervalMinutes * 60;
    const fineCover = mergeSpans((await this.coverage.listForSeries(fine)).map(rangeSpan), sF);
    const coarseCover = mergeSpans((await this.coverage.listForSeries(coarse)).map(rangeSpan), sC);
    const fineFlags: SuspectSpan[] = [];
    const coarseFlags: SuspectSpan[] = [];
    for (const s of mergeSpans(
      spans.map((x) => ({ from: alignDown(x.from, sC), to: alignDown(x.to, sC) })),
      sC,
    )) {
      const buckets = new Map(
        (await this.buckets(fine, { from: s.from, to: s.to + sC - sF }, sC)).map((b) => [b.ts, b]),
      );
      const coarseCandles = new Map((await this.candles.read(coarse, s)).map((c) => [c.ts, c]));
      const fineCovered = coveredCursor(fineCover);
      const coarseCovered = coveredCursor(coarseCover);
      for (let b = s.from; b <= s.to; b += sC) {
        // Only where both series claim the whole bucket: elsewhere an absence is a gap, not a contradiction.
        if (!coarseCovered({ from: b, to: b }) || !fineCovered({ from: b, to: b + sC - sF })) continue;
        const f = buckets.get(b);
        const c = coarseCandles.get(b);
        if (!c && f && f.trades > 0) {
          coarseFlags.push({
            from: b,
            to: b,
            reason:
              `no ${coarse.intervalMinutes}m candle while the ${fine.intervalMinutes}m candles of ${iso(b)} ` +
              `hold ${f.trades} trades`,
          });
        } else if (c && c.trades > 0 && !f) {
          fineFlags.push({
            from: b,
            to: b + sC - sF,
            reason:
              `no ${fine.intervalMinutes}m candle while the ${coarse.intervalMinutes}m candle of ${iso(b)} ` +
              `holds ${c.trades} trades`,
          });
        }
      }
    }
    return (await this.flag(fine, fineFlags)) + (await this.flag(coarse, coarseFlags));
  }

  /**
   * The fine series' candles aggregated into epoch-aligned buckets of `bucket` seconds: by the store when a
   * BucketSpec lays them out — a length dividing a day, or a week (epoch-aligned weeks are Thursday weeks,
   * 1970-01-01 being a Thursday) — else days folded in Node.
   */
  private async buckets(series: SeriesRef, span: Span, bucket: number): Promise<CandleBucket[]> {
    if (DAY % bucket === 0) return this.candles.aggregate(series, span, fixedBucket(bucket));
    if (bucket === WEEK) return this.candles.aggregate(series, span, { kind: 'week', start: 'thursday' });
    const out = new Map<number, CandleBucket>();
    for (const d of await this.candles.aggregate(series, span, fixedBucket(DAY))) {
      const ts = alignDown(d.ts, bucket);
      const b = out.get(ts);
      if (!b) out.set(ts, { ...d, ts });
      else {
        b.trades += d.trades;
        b.candles += d.candles;
        b.volume += d.volume;
      }
    }
    return [...out.values()];
  }

  /** Records the spans as suspects, except where a suspect record already stands (whatever its status). */
  private async flag(series: SeriesRef, spans: readonly SuspectSpan[], known?: readonly GapRecord[]): Promise<number> {
    if (spans.length === 0) return 0;
    const existing = (known ?? (await this.gaps.suspectsOf(series))).filter((g) => g.status !== 'MERGED');
    const taken = existing.map((g) => ({ from: toSeconds(g.startTs), to: toSeconds(g.endTs) }));
    const asset = await this.assets.findById(series.assetId);
    const now = this.clock.nowSeconds();
    const records: GapRecord[] = [];
    for (const s of spans) {
      if (taken.some((t) => intersect(t, s))) continue;
      taken.push(s);
      for (const part of route(this.exchange, s, now, series.intervalMinutes, this.config.backfill.fromTrades)) {
        records.push(
          GapRecord.suspected(
            series,
            part,
            part.fillability,
            s.reason,
            this.clock.now(),
            part.fillability === 'ARCHIVE_ONLY' && asset
              ? archiveHint(this.exchange, asset.altname ?? asset.nativeSymbol, series.intervalMinutes, part)
              : null,
          ),
        );
      }
    }
    if (records.length === 0) return 0;
    await this.gaps.saveAll(records);
    this.logger.log(
      `${series.symbol} ${series.intervalMinutes}m: ${records.length} suspect no-trade span(s) flagged: ` +
        `${spans[0]!.reason}${spans.length > 1 ? ', …' : ''}`,
    );
    return records.length;
  }
}

/** isCovered for spans asked in increasing order, in amortised constant time. */
function coveredCursor(merged: readonly Span[]): (span: Span) => boolean {
  let i = 0;
  return (span) => {
    while (i < merged.length && merged[i]!.to < span.from) i++;
    const c = merged[i];
    return c !== undefined && c.from <= span.from && c.to >= span.to;
  };
}
