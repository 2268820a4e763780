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

  constructor(readonly max?: number) {}

  get used(): number {
    return this.spent;
  }

  get exhausted(): boolean {
    return this.max !== undefined && this.spent >= this.max;
  }

  beforeRequest(): void {
    this.spend();
  }

  /** Takes one call from the budget, or throws BudgetExhaustedError when none is left. */
  spend(): void {
    if (this.exhausted) throw new BudgetExhaustedError(`API call budget of ${this.max} exhausted`);
    this.spent++;
  }
}
