/** What a backfill reports while it works (never on stdout). */
export interface BackfillProgress {
  /** `requests`: the estimated requests of the whole run (see BackfillService.plan), null when unknown. */
  begin(totals: { series: number; requests: number | null }): void;
  /** `position`: 1 for the first series. */
  seriesStarted(position: number, label: string): void;
  gapStarted(label: string): void;
  /** A request went out (retries too: what the rate limit sees). */
  call(): void;
  /** A trades page was turned into candles (`candles` completed from it). */
  page(candles: number): void;
  /** Candles a fill stored that page() did not report (OHLC requests). */
  candles(n: number): void;
  end(): void;
}

export const NO_BACKFILL_PROGRESS: BackfillProgress = {
  begin: () => undefined,
  seriesStarted: () => undefined,
  gapStarted: () => undefined,
  call: () => undefined,
  page: () => undefined,
  candles: () => undefined,
  end: () => undefined,
};
