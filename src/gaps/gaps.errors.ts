import { CandlekeepError } from '../common/errors';

export class GapNotFoundError extends CandlekeepError {
  readonly code = 'GAP_NOT_FOUND';
  readonly kind = 'not_found' as const;
}

/** The record's state does not allow the asked change (e.g. reopening a FILLED gap): a usage mistake, exit 2. */
export class GapStateError extends CandlekeepError {
  readonly code = 'GAP_STATE';
  readonly kind = 'usage' as const;
}
