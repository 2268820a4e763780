import { CandlekeepError } from '../common/errors';

/** The candle store refused or failed a read or write (connection, constraint, COPY error). */
export class CandleStoreError extends CandlekeepError {
  readonly code = 'CANDLE_STORE';
  readonly kind = 'upstream' as const;
}
