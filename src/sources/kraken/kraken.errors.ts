import { CandlekeepError } from '../../common/errors';

/** Why a request failed in a way worth retrying. */
export type TransientReason = 'rate_limit' | 'http' | 'network' | 'timeout' | 'malformed_json' | 'service';

/** Kraken answered with a permanent error (EGeneral:Invalid arguments, E...): not retried; Kraken's message is kept. */
export class KrakenApiError extends CandlekeepError {
  readonly code: string = 'KRAKEN_API_ERROR';
  readonly kind: CandlekeepError['kind'] = 'upstream';

  constructor(
    readonly endpoint: string,
    readonly krakenErrors: readonly string[],
    context = '',
  ) {
    super(`Kraken ${endpoint}${context}: ${krakenErrors.join('; ')}`);
  }
}

/** `EQuery:Unknown asset pair`: the pair does not exist on Kraken (exit 2 / HTTP 404). */
export class KrakenUnknownPairError extends KrakenApiError {
  override readonly code = 'KRAKEN_UNKNOWN_PAIR';
  override readonly kind = 'not_found' as const;
}

/** A transient failure that outlasted every retry. */
export class KrakenUnavailableError extends CandlekeepError {
  readonly code = 'KRAKEN_UNAVAILABLE';
  readonly kind = 'upstream' as const;

  constructor(
    message: string,
    readonly reason: TransientReason,
    readonly attempts: number,
  ) {
    super(message);
  }
}

/**
 * Kraken did not answer at all, several requests in a row (refused, unknown host, reset): a run stops here
 * rather than paying every series' retries, and leaves its gaps as they were.
 */
export class KrakenUnreachableError extends CandlekeepError {
  readonly code = 'KRAKEN_UNREACHABLE';
  readonly kind = 'upstream' as const;

  constructor(
    readonly url: string,
    readonly failures: number,
    lastError: string,
  ) {
    super(`Kraken unreachable at ${url}: ${failures} network failure(s) in a row (last: ${lastError})`);
  }
}

/** Kraken answered well-formed JSON of an unexpected shape: never a crash or a silent empty result. */
export class KrakenResponseError extends CandlekeepError {
  readonly code = 'KRAKEN_BAD_RESPONSE';
  readonly kind = 'upstream' as const;
}
