import { CandlekeepError } from '../common/errors';

/** No series held for the asset has an interval that tiles the requested buckets (the message names what is held). */
export class NoSourceSeriesError extends CandlekeepError {
  readonly code = 'NO_SOURCE_SERIES';
  readonly kind = 'not_found' as const;
}

/** `latest`: the series holds no closed candle. */
export class NoClosedCandleError extends CandlekeepError {
  readonly code = 'NO_CLOSED_CANDLE';
  readonly kind = 'not_found' as const;
}

/** `compare --normalize`: the symbols share no bucket to take as the base. */
export class NoCommonBucketError extends CandlekeepError {
  readonly code = 'NO_COMMON_BUCKET';
  readonly kind = 'usage' as const;
}

/** `compare --normalize`: a symbol's value at the base bucket is zero or absent, so no percent change exists. */
export class UnusableBaseError extends CandlekeepError {
  readonly code = 'UNUSABLE_BASE';
  readonly kind = 'usage' as const;
}

/** A paging cursor that this query did not hand out (another window, span or a damaged string). */
export class InvalidCursorError extends CandlekeepError {
  readonly code = 'INVALID_CURSOR';
  readonly kind = 'usage' as const;
}
