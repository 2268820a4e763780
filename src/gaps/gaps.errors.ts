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

export class SeriesNotFoundError extends CandlekeepError {
  readonly code = 'SERIES_NOT_FOUND';
  readonly kind = 'not_found' as const;
}

/** A series named on the command line that the selection cannot take (not held and no interval named, or outside a filter): exit 2. */
export class SeriesSelectionError extends CandlekeepError {
  readonly code = 'SERIES_SELECTION';
  readonly kind = 'usage' as const;
}
