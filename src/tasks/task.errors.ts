import { CandlekeepError } from '../common/errors';

export class UnknownTaskError extends CandlekeepError {
  readonly code = 'UNKNOWN_TASK';
  readonly kind = 'usage' as const;
}
