import { CandlekeepError } from '../common/errors';

export class DatabaseError extends CandlekeepError {
  readonly code = 'DATABASE';
  readonly kind = 'upstream' as const;
}
