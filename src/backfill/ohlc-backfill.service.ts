import { Inject, Injectable, Logger } from '@nestjs/common';
import { valueProblem } from '../candles/candle-check';
import { Candle, CandleStore } from '../candles/candle-store';
import { Clock } from '../common/clock';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { KrakenClient } from '../sources/kraken/kraken.client';
import { OhlcCandle } from '../sources/kraken/kraken.types';
import { CallBudget } from './call-budget';
import { intersect, isCovered, mergeSpans, slots, subtractSpans } from '../coverage/coverage-math';
import { CoverageRepository, rangeSpan } from '../coverage/coverage.repository';
import { ohlcWindowStart } from '../gaps/fillability';
import { GapRetryPolicy } from '../gaps/gap-retry.policy';
import { GapRepository } from '../gaps/gap.repository';
import { SeriesRef, Span } from '../common/series';
import { isoOfSeconds, toSeconds } from '../common/time';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';

export interface OhlcRejection {
  ts: number;
  reason: string;
}

export interface CheckedOhlc {
  /** Closed candles with trades, to store. */
  candles: Candle[];
  /** Open time of the newest closed row in the response (null: none). */
  lastClosed: number | null;
  /** Slots the response cannot vouch for (impossible or conflicting rows). */
  rejected: OhlcRejection[];
  /** Closed rows with no trade: they prove coverage but are not stored (as in the archives). */
  empty: number;
  /** Their open times: Kraken's proof that nobody traded there. */
  emptyTs: number[];
}

/**
 * Validates one OHLC response for storage: drops the open candle, keeps
 * count-0 candles as proof only, rejects impossible rows (non-positive or
 * inconsistent prices, negative volume, unaligned times) and duplicate
 * timestamps (an identical repeat is dropped; a conflicting one makes the
 * slot unprovable).
 */
export function checkOhlcRows(rows: readonly OhlcCandle[], intervalMinutes: number, now: number): CheckedOhlc {
  const step = intervalMinutes * 60;
  const byTs = new Map<number, OhlcCandle>();
  const rejected = new Map<number, string>();
  let lastClosed: number | null = null;
  for (const r of rows) {
    if (r.ts + step > now) continue; // the open candle is never stored nor covered
    lastClosed = lastClosed === null ? r.ts : Math.max(lastClosed, r.ts);
    const seen = byTs.get(r.ts);
    if (seen) {
      const same =
        seen.open === r.open &&
        seen.high === r.high &&
        seen.low === r.low &&
        seen.close === r.close &&
        seen.volume === r.volume &&
        seen.count === r.count;
      if (!same) rejected.set(r.ts, 'duplicate timestamp with different values');
      continue;
    }
    byTs.set(r.ts, r);
    const problem = impossible(r, step);
    if (problem) rejected.set(r.ts, problem);
  }
  const candles: Candle[] = [];
  const emptyTs: number[] = [];
  for (const r of [...byTs.values()].sort((a, b) => a.ts - b.ts)) {
    if (rejected.has(r.ts)) continue;
    if (r.count === 0) {
      emptyTs.push(r.ts);
      continue;
    }
    candles.push({
      ts: r.ts,
      open: r.open,
      high: r.high,
      low: r.low,
      close: r.close,
      vwap: r.vwap,
      volume: r.volume,
      trades: r.count,
    });
  }
  return {
    candles,
    lastClosed,
    empty: emptyTs.length,
    emptyTs,
    rejected: [...rejected].map(([ts, reason]) => ({ ts, reason })),
  };
}

function impossible(r: OhlcCandle, step: number): string | null {
  if (r.ts % step !== 0) return `time ${r.ts} not aligned to the interval`;
  if (!Number.isInteger(r.count) || r.count < 0) return `trade count ${r.count} is not a non-negative integer`;
  if (!(r.volume >= 0)) return `negative volume ${r.volume}`;
  if (r.count === 0) return r.volume === 0 ? null : `volume ${r.volume} with no trades`;
  return valueProblem(r.open, r.high, r.low, r.close, r.volume)?.detail ?? null;
}

export interface OhlcStoreResult {
  written: number;
  empty: number;
  rejected: number;
  proven: Span[];
  /** The count-0 rows: slots Kraken says nobody traded in. */
  emptyTs: number[];
}

export interface FillOutcome {
  candles: number;
  filled: number;
  partial: number;
  verifiedEmpty: number;
  failed: number;
}

/** Adds `more` into `into`. */
export function add(into: FillOutcome, more: FillOutcome): FillOutcome {
  into.candles += more.candles;
  into.filled += more.filled;
  into.partial += more.partial;
  into.verifiedEmpty += more.verifiedEmpty;
  into.failed += more.failed;
  return into;
}

/**
 * Fills a series' API_OHLC gaps with one OHLC request (`since` just before
 * the oldest gap): upserts the closed candles, extends coverage over what the
 * response proves, then re-checks every gap against coverage.
 */
@Injectable()
export class OhlcBackfillService {
  private readonly logger = new Logger(OhlcBackfillService.name);

  constructor(
    private readonly kraken: KrakenClient,
    private readonly candles: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly gaps: GapRepository,
    private readonly clock: Clock,
    private readonly retry: GapRetryPolicy,
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
  ) {}

  /**
   * One OHLC request for the series' API_OHLC records, gaps and suspects
   * alike: gaps are settled against coverage, suspects against what the
   * response proves (a count-0 candle is Kraken's proof of no trade).
   */
  async fill(asset: Asset, intervalMinutes: number, records: GapRecord[], budget: CallBudget): Promise<FillOutcome> {
    const sorted = [...records].sort((a, b) => a.startTs.getTime() - b.startTs.getTime());
    for (const g of sorted) g.startFilling();
    await this.gaps.saveAll(sorted);
    const series = { assetId: asset.id, symbol: asset.symbol, intervalMinutes };
    const { emptyTs } = await this.fetchAndStore(asset, intervalMinutes, toSeconds(sorted[0]!.startTs), budget);
    const gaps = sorted.filter((g) => g.kind === 'gap');
    const outcome = await this.recheck(series, gaps, 'OHLC response');
    const suspects = sorted.filter((g) => g.kind === 'suspect');
    // A suspect slot is settled by a stored candle or a count-0 row; a slot the response left out proves nothing.
    const noTrade = emptyTs.map((ts) => ({ from: ts, to: ts }));
    if (suspects.length)
      add(outcome, await this.verifySuspects(series, suspects, noTrade, 'OHLC response (count-0 candles)'));
    return outcome;
  }

  /**
   * Settles suspect records after a source was read over them: candles stored
   * there now → FILLED (the archive had lost them); every slot proven empty
   * (`noTrade`: spans the source shows nobody traded in) → VERIFIED_EMPTY;
   * else back to SUSPECT, still to verify.
   */
  async verifySuspects(
    series: SeriesRef,
    suspects: GapRecord[],
    noTrade: readonly Span[],
    source: string,
  ): Promise<FillOutcome> {
    const step = series.intervalMinutes * 60;
    const out: FillOutcome = { candles: 0, filled: 0, partial: 0, verifiedEmpty: 0, failed: 0 };
    const now = this.clock.now();
    for (const g of suspects) {
      const span = { from: toSeconds(g.startTs), to: toSeconds(g.endTs) };
      const stored = await this.candles.count(series, span);
      out.candles += stored;
      if (stored > 0) {
        g.markFilled(stored, now);
        out.filled++;
      } else if (isCovered(span, noTrade, step)) {
        g.markVerifiedEmpty(now, `${source}: no trade in the span`);
        out.verifiedEmpty++;
      } else {
        g.status = 'SUSPECT';
        g.reason = `${source} did not prove ${isoOfSeconds(span.from)}.. empty: still to verify`;
      }
    }
    await this.gaps.saveAll(suspects);
    return out;
  }

  /**
   * One OHLC request from `from` (clamped to the OHLC window; `since` is the
   * slot just before it): upserts the closed candles, then extends coverage
   * over what the response proves — from `from` to its last closed candle,
   * minus slots of rejected rows.
   */
  async fetchAndStore(
    asset: Asset,
    intervalMinutes: number,
    from: number,
    budget: CallBudget,
  ): Promise<OhlcStoreResult> {
    const step = intervalMinutes * 60;
    const now = this.clock.nowSeconds();
    const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes };
    const oldest = Math.max(from, ohlcWindowStart(this.exchange, now, intervalMinutes));
    const since = oldest - step;
    const page = await this.kraken.ohlc(asset.nativeSymbol, intervalMinutes, since, budget);
    const checked = checkOhlcRows(
      page.candles.filter((c) => c.ts > since),
      intervalMinutes,
      now,
    );
    for (const r of checked.rejected)
      this.logger.warn(`${asset.symbol} ${intervalMinutes}m OHLC row ${r.ts} rejected: ${r.reason}`);

    // Write order: candles first (idempotent), coverage after.
    const written = checked.candles.length ? await this.candles.upsert(series, checked.candles, 'api') : 0;
    const proven =
      checked.lastClosed !== null && checked.lastClosed >= oldest
        ? subtractSpans(
            { from: oldest, to: checked.lastClosed },
            checked.rejected.map((r) => ({ from: r.ts, to: r.ts })),
            step,
          )
        : [];
    for (const span of proven) {
      await this.coverage.mergeIn(series, span, 'api', (merged) => this.candles.count(series, merged));
    }
    this.logger.log(
      `${asset.symbol} ${intervalMinutes}m: OHLC since ${isoOfSeconds(since)} → ${written} candle(s), ` +
        `${checked.empty} empty, ${checked.rejected.length} rejected`,
    );
    return { written, empty: checked.empty, rejected: checked.rejected.length, proven, emptyTs: checked.emptyTs };
  }

  /** Settles each gap against fresh coverage: FILLED, VERIFIED_EMPTY, PARTIAL or FAILED. */
  async recheck(series: SeriesRef, gaps: GapRecord[], source: string): Promise<FillOutcome> {
    const step = series.intervalMinutes * 60;
    const covered = mergeSpans((await this.coverage.listForSeries(series)).map(rangeSpan), step);
    const out: FillOutcome = { candles: 0, filled: 0, partial: 0, verifiedEmpty: 0, failed: 0 };
    const now = this.clock.now();
    for (const g of gaps) {
      const span = { from: toSeconds(g.startTs), to: toSeconds(g.endTs) };
      const remaining = subtractSpans(span, covered, step);
      const coveredSlots = slots(span, step) - remaining.reduce((n, r) => n + slots(r, step), 0);
      const stored = coveredSlots > 0 ? await this.countCovered(series, span, covered) : 0;
      out.candles += stored;
      if (remaining.length === 0) {
        if (stored > 0) {
          g.markFilled(stored, now);
          out.filled++;
        } else {
          g.markVerifiedEmpty(now, `${source} spans it with no trade`);
          out.verifiedEmpty++;
        }
      } else if (coveredSlots > 0) {
        g.markPartial(stored, `${source} covered ${coveredSlots} of ${slots(span, step)} interval(s)`);
        out.partial++;
      } else {
        g.markFailed(
          `${source} did not reach the gap (nothing proven in ${isoOfSeconds(span.from)}..)`,
          this.retry.retryAt(g),
        );
        out.failed++;
      }
    }
    await this.gaps.saveAll(gaps);
    return out;
  }

  /** The retry time of a gap failing now (see GapRetryPolicy). */
  retryAt(gap: GapRecord): Date | null {
    return this.retry.retryAt(gap);
  }

  private async countCovered(series: SeriesRef, span: Span, covered: readonly Span[]): Promise<number> {
    let n = 0;
    for (const c of covered) {
      const part = intersect(span, c);
      if (part) n += await this.candles.count(series, part);
    }
    return n;
  }
}
