import { Inject, Injectable } from '@nestjs/common';
import { CandleStore } from '../candles/candle-store';
import { fixedBucket } from '../common/aggregation-window';
import { Asset } from '../entities/asset.entity';
import { SeriesRepository } from '../coverage/series.repository';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';

/** How far back "recent" reaches when a series' trade rate is measured. */
const RECENT_DAYS = 30;
const DAY = 86_400;

export interface TradeRate {
  /** Trades per second over the most recent RECENT_DAYS of candles held. */
  perSecond: number;
  /** The series it was measured on (the asset's own interval first, else another interval of the asset). */
  measuredOn: number;
}

/**
 * Estimates what rebuilding a span from Kraken's Trades endpoint costs: the
 * trades it holds from the series' recent trade rate (the `trades` count of
 * its candles), one request per page of them (the exchange's trades page size). Recent activity is
 * usually higher than years ago, so for old spans this tends to overestimate:
 * an estimate, and said to be one wherever shown.
 */
@Injectable()
export class TradesEstimatorService {
  constructor(
    private readonly candles: CandleStore,
    private readonly series: SeriesRepository,
    @Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities,
  ) {}

  /** The asset's recent trade rate, from the interval asked first; null when none of its series holds candles. */
  async rate(asset: Asset, intervalMinutes: number): Promise<TradeRate | null> {
    const held = (await this.series.heldOf([asset.id])).map((s) => s.intervalMinutes);
    for (const interval of [intervalMinutes, ...held.filter((i) => i !== intervalMinutes)]) {
      const ref = { assetId: asset.id, symbol: asset.symbol, intervalMinutes: interval };
      const extent = await this.candles.extent(ref);
      if (!extent) continue;
      const step = interval * 60;
      const from = Math.max(extent.first, extent.last - RECENT_DAYS * DAY + step);
      const buckets = await this.candles.aggregate(ref, { from, to: extent.last }, fixedBucket(DAY));
      const trades = buckets.reduce((n, b) => n + b.trades, 0);
      return { perSecond: trades / (extent.last + step - from), measuredOn: interval };
    }
    return null;
  }

  /** Trades requests a span of `seconds` needs at this rate: at least one (the page that proves it empty). */
  requests(rate: TradeRate, seconds: number): number {
    return Math.max(1, Math.ceil((rate.perSecond * seconds) / this.exchange.tradesPageSize));
  }
}
