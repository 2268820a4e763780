import { CandlekeepError } from '../common/errors';

/** The candle store refused or failed a read or write (connection, constraint, COPY error). */
export class CandleStoreError extends CandlekeepError {
  readonly code = 'CANDLE_STORE';
  readonly kind = 'upstream' as const;
}

/** A candle that must not be stored (non-finite value, misaligned or fractional timestamp): a caller bug. */
export class CandleValueError extends CandlekeepError {
  readonly code = 'CANDLE_INVALID';
  readonly kind = 'internal' as const;
}
