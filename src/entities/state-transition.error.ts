import { CandlekeepError } from '../common/errors';

/** An entity refused a state change that would break a domain rule. */
export class StateTransitionError extends CandlekeepError {
  readonly code = 'STATE_TRANSITION';
  readonly kind = 'conflict' as const;
}
