import { Span } from '../common/series';

/** A run of missing candles inside a file that is implausible for the series around it. */
export interface SuspectRun extends Span {
  missing: number;
  /** The trades per candle around the run: the lower of the medians before and after it. */
  tradesPerCandle: number;
}

export interface NoTradeRules {
  /** A run is considered from this many missing candles on. */
  minCandles: number;
  /** ... and is implausible when missing × tradesPerCandle reaches this many trades. */
  minTrades: number;
}

/** Candles on each side of a run whose median trade count stands for "the candles around it". */
const AROUND = 12;
/** Fewer row spacings than this say nothing about the file's interval. */
const MIN_SPACINGS = 7;

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

interface PendingRun {
  from: number;
  to: number;
  missing: number;
  before: number;
  after: number[];
}

/**
 * Reads the accepted rows of one archive file, in order, for what they say
 * about the candles that are not there (README "No-trade is proven or
 * flagged"):
 * - the spacing of the rows: a file whose rows all sit on a coarser grid than
 *   the interval in its name (the median spacing is not the interval, and no
 *   two rows are one interval apart) is mislabelled;
 * - runs of missing candles that are implausible for the series: `missing` ×
 *   the trades per candle around the run ≥ NO_TRADE_SUSPECT_TRADES (a quiet
 *   market has few trades around its empty hours; a liquid one does not go
 *   silent for long).
 * Memory is bounded by the distinct spacings and the runs still collecting
 * their following candles, not by the file.
 */
export class NoTradeAnalyzer {
  private last: number | null = null;
  private rows = 0;
  private readonly spacings = new Map<number, number>();
  private spacingGcd = 0;
  private readonly before: number[] = [];
  private pending: PendingRun[] = [];
  private readonly found: SuspectRun[] = [];

  constructor(
    private readonly step: number,
    private readonly rules: NoTradeRules,
  ) {}

  /** One accepted candle (increasing ts). */
  add(ts: number, trades: number): void {
    this.rows++;
    if (this.pending.length) this.feedPending(trades);
    if (this.last !== null) {
      const steps = (ts - this.last) / this.step;
      this.spacings.set(steps, (this.spacings.get(steps) ?? 0) + 1);
      this.spacingGcd = gcd(steps, this.spacingGcd);
      const missing = steps - 1;
      if (missing >= this.rules.minCandles && this.before.length) {
        const before = median(this.before);
        // The lower median decides: a run that the candles before it already make plausible needs no more look.
        if (before * missing >= this.rules.minTrades) {
          this.pending.push({ from: this.last + this.step, to: ts - this.step, missing, before, after: [trades] });
          this.settle(false);
        }
      }
    }
    this.before.push(trades);
    if (this.before.length > AROUND) this.before.shift();
    this.last = ts;
  }

  /** The implausible runs found (call after the last row). */
  suspects(): SuspectRun[] {
    this.settle(true);
    return this.found;
  }

  /** Why the file is not the interval its name says, or null. */
  mislabel(intervalMinutes: number): string | null {
    const total = this.rows - 1;
    if (total < MIN_SPACINGS || this.spacingGcd <= 1) return null;
    let seen = 0;
    let medianSteps = 0;
    for (const [steps, n] of [...this.spacings].sort((a, b) => a[0] - b[0])) {
      seen += n;
      if (seen * 2 > total) {
        medianSteps = steps;
        break;
      }
    }
    if (medianSteps <= 1) return null;
    return (
      `rows are ${medianSteps * intervalMinutes} minutes apart, the name says ${intervalMinutes}: ` +
      `the file does not hold ${intervalMinutes}-minute candles`
    );
  }

  private feedPending(trades: number): void {
    for (const run of this.pending) if (run.after.length < AROUND) run.after.push(trades);
    this.settle(false);
  }

  /** Decides every run whose following candles are in (all of them at the end of the file). */
  private settle(end: boolean): void {
    if (!this.pending.length) return;
    const open: PendingRun[] = [];
    for (const run of this.pending) {
      if (run.after.length < AROUND && !end) {
        open.push(run);
        continue;
      }
      const tradesPerCandle = Math.min(run.before, median(run.after));
      if (tradesPerCandle * run.missing >= this.rules.minTrades) {
        this.found.push({ from: run.from, to: run.to, missing: run.missing, tradesPerCandle });
      }
    }
    this.pending = open;
  }
}
