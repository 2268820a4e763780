import { Inject, Injectable, Logger } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { Asset } from '../entities/asset.entity';
import { GapRecord } from '../entities/gap-record.entity';
import { KrakenClient } from '../sources/kraken/kraken.client';
import { BudgetExhaustedError, CallBudget } from './call-budget';
import { CoverageRepository } from '../coverage/coverage.repository';
import { GapRepository } from '../gaps/gap.repository';
import { FillOutcome, OhlcBackfillService } from './ohlc-backfill.service';
import { TradeCandleBuilder } from './trade-candle-builder';
import { SeriesRef } from '../common/series';
import { toSeconds } from '../common/time';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';

const NS = 1_000_000_000n;
const nsBefore = (seconds: number) => (BigInt(seconds) * NS - 1n).toString();

/**
 * Rebuilds an API_TRADES gap from Kraken's full-history Trades endpoint:
 * pages from the gap start with the `last` cursor, turns the trades into
 * candles of the series' interval, stores them and extends coverage as pages
 * complete. The cursor is checkpointed on the gap (at the start of the
 * candle still being built, so a resume rebuilds it whole); a spent budget
 * leaves the gap PARTIAL, resumable.
 */
@Injectable()
export class TradesBackfillService {
  private readonly logger = new Logger(TradesBackfillService.name);

  constructor(
    private readonly kraken: KrakenClient,
    private readonly candles: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly gaps: GapRepository,
    private readonly ohlc: OhlcBackfillService,
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
  ) {}

  /** `onPage`: told of each page turned into candles, with the candles it completed (progress). */
  async fill(
    asset: Asset,
    gap: GapRecord,
    budget: CallBudget,
    onPage: (candles: number) => void = () => undefined,
  ): Promise<FillOutcome> {
    const interval = gap.intervalMinutes;
    const step = interval * 60;
    const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes: interval };
    const start = toSeconds(gap.startTs);
    const end = toSeconds(gap.endTs);
    // Trades strictly after the cursor; one nanosecond before a candle's start takes a trade at exactly the start.
    let cursor = gap.cursor ?? nsBefore(start);
    let provenFrom = Math.max(start, Math.ceil((Number(BigInt(cursor) / NS) + 1) / step) * step);
    const builder = new TradeCandleBuilder(interval);
    gap.startFilling();
    await this.gaps.save(gap);

    for (;;) {
      if (budget.exhausted) {
        gap.markPartial(0, `${budget.why}; resumes from cursor ${gap.cursor ?? cursor}`, gap.cursor ?? cursor);
        await this.gaps.save(gap);
        this.logger.log(`${asset.symbol} ${interval}m: trades fill of gap ${gap.id} paused (${budget.why})`);
        return { candles: 0, filled: 0, partial: 1, verifiedEmpty: 0, failed: 0 };
      }
      let page;
      try {
        page = await this.kraken.trades(asset.nativeSymbol, cursor, budget);
      } catch (e) {
        // The budget ran out between a call's attempts (retries count): stop here, resumable, like above.
        if (!(e instanceof BudgetExhaustedError)) throw e;
        gap.markPartial(0, `${budget.why}; resumes from cursor ${gap.cursor ?? cursor}`, gap.cursor ?? cursor);
        await this.gaps.save(gap);
        return { candles: 0, filled: 0, partial: 1, verifiedEmpty: 0, failed: 0 };
      }
      const inGap = page.trades.filter((t) => t.timeSec < end + step);
      const completed = builder.add(inGap.map((t) => ({ price: t.price, volume: t.volume, time: t.timeSec })));
      // A trade past the gap, or fewer than a full page (Kraken has nothing newer): the whole gap is known.
      const done = inGap.length < page.trades.length || page.trades.length < this.exchange.tradesPageSize;
      if (done) completed.push(...builder.flush());
      onPage(completed.length);
      const pending = builder.pendingTs;
      const provenTo = done || pending === null ? end : pending - step;
      if (completed.length) await this.candles.upsert(series, completed, 'trades'); // candles first, coverage after
      if (provenTo >= provenFrom) {
        await this.coverage.mergeIn(series, { from: provenFrom, to: provenTo }, 'trades', (merged) =>
          this.candles.count(series, merged),
        );
        provenFrom = provenTo + step;
      }
      if (done) break;
      // Checkpoint at the start of the candle still being built, so a resume rebuilds it from all its trades.
      const checkpoint = pending === null ? page.last : nsBefore(pending);
      gap.cursor = checkpoint;
      await this.gaps.save(gap);
      if (completed.length && pending !== null) {
        builder.flush(); // re-read the unfinished candle's trades from the checkpoint
        cursor = checkpoint;
      } else {
        cursor = page.last; // the page lay inside one candle: keep building it
      }
    }
    gap.cursor = null;
    // The trades history now spans the record: a suspect is settled by what it held there, a gap by coverage.
    if (gap.kind === 'suspect')
      return this.ohlc.verifySuspects(series, [gap], [{ from: start, to: end }], 'Trades history');
    return this.ohlc.recheck(series, [gap], 'Trades history');
  }
}
