import { CandlekeepError } from '../common/errors';
import type { RequestGate } from '../sources/kraken/kraken.client';

export class BudgetExhaustedError extends CandlekeepError {
  readonly code = 'BUDGET_EXHAUSTED';
  readonly kind = 'conflict' as const;
}

/**
 * The `--max-calls` budget of one run, shared by every filler: it counts every
 * request sent (retries included: the client asks it before each attempt) and
 * stops the run's calls when spent.
 */
export class CallBudget implements RequestGate {
  private spent = 0;
  private stoppedBy: string | null = null;

  /** `onSpend`: told of every call taken (progress). */
  constructor(
    readonly max?: number,
    private readonly onSpend: () => void = () => undefined,
  ) {}

  get used(): number {
    return this.spent;
  }

  get exhausted(): boolean {
    return this.stoppedBy !== null || (this.max !== undefined && this.spent >= this.max);
  }

  /** The signal that stopped the run (stop()), or null. */
  get interruptedBy(): string | null {
    return this.stoppedBy;
  }

  /** Why no more calls are made: for the reason of a record left resumable. */
  get why(): string {
    return this.stoppedBy ? `interrupted by ${this.stoppedBy}` : 'API call budget spent';
  }

  /**
   * No call after this one: a signal asked the run to stop. The request in hand finishes (its page is
   * stored and its cursor saved); the next one is refused like a spent budget, so every filler stops at
   * the same safe point it stops at for --max-calls.
   */
  stop(signal: string): void {
    this.stoppedBy ??= signal;
  }

  beforeRequest(): void {
    this.spend();
  }

  /** Takes one call from the budget, or throws BudgetExhaustedError when none is left. */
  spend(): void {
    if (this.stoppedBy) throw new BudgetExhaustedError(`interrupted by ${this.stoppedBy}`);
    if (this.exhausted) throw new BudgetExhaustedError(`API call budget of ${this.max} exhausted`);
    this.spent++;
    this.onSpend();
  }
}
