import { CandlekeepError } from '../common/errors';

export class SeriesNotFoundError extends CandlekeepError {
  readonly code = 'SERIES_NOT_FOUND';
  readonly kind = 'not_found' as const;
}

/**
 * A series named on the command line that the selection cannot take (not held and no interval named, or outside a
 * filter): exit 2.
 */
export class SeriesSelectionError extends CandlekeepError {
  readonly code = 'SERIES_SELECTION';
  readonly kind = 'usage' as const;
}
