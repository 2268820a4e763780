import { Candle } from '../candles/candle-store';

export interface TradeTick {
  price: number;
  volume: number;
  /** Trade time in epoch seconds (fractional). */
  time: number;
}

/**
 * Rebuilds candles from trades the way Kraken builds its own: a candle per
 * interval with at least one trade; open = first price, close = last price,
 * high/low the extremes, volume the sum, vwap the volume-weighted price,
 * trades the count. Trades arrive in time order, page by page; a candle is
 * emitted once a later trade proves its interval is over (or on flush).
 */
export class TradeCandleBuilder {
  private readonly step: number;
  private current: (Candle & { notional: number }) | null = null;

  constructor(intervalMinutes: number) {
    this.step = intervalMinutes * 60;
  }

  /** Open time of the candle under construction, if any. */
  get pendingTs(): number | null {
    return this.current?.ts ?? null;
  }

  /** Adds trades in time order; returns the candles they completed. */
  add(trades: Iterable<TradeTick>): Candle[] {
    const done: Candle[] = [];
    for (const t of trades) {
      const ts = Math.floor(t.time / this.step) * this.step;
      const c = this.current;
      if (c && ts < c.ts)
        throw new RangeError(`trade at ${t.time} is older than the candle at ${c.ts}: trades must be in time order`);
      if (!c || ts !== c.ts) {
        if (c) done.push(this.finish(c));
        this.current = {
          ts,
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.volume,
          notional: t.price * t.volume,
          vwap: null,
          trades: 1,
        };
        continue;
      }
      if (t.price > c.high) c.high = t.price;
      if (t.price < c.low) c.low = t.price;
      c.close = t.price;
      c.volume += t.volume;
      c.notional += t.price * t.volume;
      c.trades += 1;
    }
    return done;
  }

  /** Emits the candle under construction (the caller knows its interval is over). */
  flush(): Candle[] {
    const c = this.current;
    this.current = null;
    return c ? [this.finish(c)] : [];
  }

  private finish(c: Candle & { notional: number }): Candle {
    const { notional, ...candle } = c;
    // The true vwap lies within [low, high]; clamp away float rounding at the edges.
    const vwap = c.volume > 0 ? Math.min(c.high, Math.max(c.low, notional / c.volume)) : c.close;
    return { ...candle, vwap };
  }
}
