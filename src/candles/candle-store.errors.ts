import { CandlekeepError } from '../common/errors';

/** The candle store refused or failed a read or write (connection, constraint, COPY error). */
export class CandleStoreError extends CandlekeepError {
  readonly code = 'CANDLE_STORE';
  readonly kind = 'upstream' as const;
}

/**
 * The candle store as a whole cannot take writes (unreachable, refusing the
 * credentials, not applying its write-ahead log, its table not of the schema
 * candlekeep writes): not a problem of the data in hand, so every later write
 * would fail the same way. A run stops on it and reports it (its code and exit
 * status) instead of failing file after file.
 */
export abstract class CandleStoreUnusableError extends CandlekeepError {}

/** A candle that must not be stored (non-finite value, misaligned or fractional timestamp): a caller bug. */
export class CandleValueError extends CandlekeepError {
  readonly code = 'CANDLE_INVALID';
  readonly kind = 'internal' as const;
}
