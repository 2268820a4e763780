/**
 * candlekeep's standard symbol, `BASE-QUOTE-TYPE` (BTC-USD-SPOT): how the asset
 * catalog names a pair whatever the exchange calls it. A pure module (no I/O).
 */
import { CandlekeepError } from '../common/errors';
import { ExchangeSymbols } from '../sources/exchange-capabilities';
import {
  INSTRUMENT_TYPES,
  InstrumentType,
  isInstrumentType,
  StandardSymbolParts,
} from '../sources/standard-symbol-parts';

/** A name that is no symbol, or no asset of the catalog: CLI exit 2, HTTP 404. */
export class UnknownSymbolError extends CandlekeepError {
  readonly code = 'UNKNOWN_SYMBOL';
  readonly kind = 'not_found' as const;
}

/** BASE-QUOTE-TYPE, e.g. BTC-USD-SPOT. */
export type StandardSymbol = `${string}-${string}-${InstrumentType}`;

export interface StandardPair extends StandardSymbolParts {
  symbol: StandardSymbol;
}

/** BASE-QUOTE with an optional -TYPE (SPOT when left out). */
const STANDARD_RE = /^([A-Z0-9.]+)-([A-Z0-9.]+)(?:-([A-Z]+))?$/;

export function formatStandardSymbol(parts: StandardSymbolParts): StandardSymbol {
  return `${parts.base}-${parts.quote}-${parts.instrumentType}`;
}

export function standardPair(parts: StandardSymbolParts): StandardPair {
  return { symbol: formatStandardSymbol(parts), ...parts };
}

/**
 * Parses any accepted form — standard (`BTC-USD-SPOT`, `BTC-USD`) or one of the
 * exchange's own names (Kraken: `XBT/USD`, `XBTUSD`, `XXBTZUSD`), case-insensitive —
 * into the standard pair. The codes of a standard form go through the exchange's
 * aliases too (XBT-USD is BTC-USD-SPOT). Throws UnknownSymbolError when the name
 * cannot be split into a base and a quote.
 */
export function parseSymbol(name: string, exchange: ExchangeSymbols): StandardPair {
  const raw = name.trim().toUpperCase();
  const std = STANDARD_RE.exec(raw);
  if (std) {
    const type = std[3] ?? 'SPOT';
    if (!isInstrumentType(type))
      throw unknown(name, exchange, `instrument type ${type} is not one of ${INSTRUMENT_TYPES.join(', ')}`);
    return standardPair({
      base: exchange.standardAsset(std[1]!), // groups 1 and 2 always match
      quote: exchange.standardAsset(std[2]!),
      instrumentType: type,
    });
  }
  const parts = exchange.parsePair(raw);
  if (!parts) throw unknown(name, exchange);
  return standardPair(parts);
}

function unknown(name: string, exchange: ExchangeSymbols, why?: string): UnknownSymbolError {
  return new UnknownSymbolError(
    `unknown symbol ${JSON.stringify(name)}${why ? ` (${why})` : ''}: use BASE-QUOTE-TYPE (BTC-USD-SPOT) ` +
      `or ${exchange.nameHint}`,
  );
}
