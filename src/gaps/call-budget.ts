import { CandlekeepError } from '../common/errors';

export class BudgetExhaustedError extends CandlekeepError {
  readonly code = 'BUDGET_EXHAUSTED';
  readonly kind = 'conflict' as const;
}

/** The `--max-calls` budget of one run, shared by every filler; counts the API calls made. */
export class CallBudget {
  private spent = 0;

  constructor(readonly max?: number) {}

  get used(): number {
    return this.spent;
  }

  get exhausted(): boolean {
    return this.max !== undefined && this.spent >= this.max;
  }

  /** Takes one call from the budget, or throws BudgetExhaustedError when none is left. */
  spend(): void {
    if (this.exhausted) throw new BudgetExhaustedError(`API call budget of ${this.max} exhausted`);
    this.spent++;
  }
}
