/**
 * The exchange-neutral shape of a pair, as every exchange's name mapper returns it: standard asset codes (BTC, not
 * Kraken's XBT) and an instrument type. The symbol format built from it (BASE-QUOTE-TYPE) is the asset catalog's.
 */

export const INSTRUMENT_TYPES = ['SPOT', 'DARKPOOL'] as const;
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

export function isInstrumentType(type: string): type is InstrumentType {
  return (INSTRUMENT_TYPES as readonly string[]).includes(type);
}

export interface StandardSymbolParts {
  base: string;
  quote: string;
  instrumentType: InstrumentType;
}

/** Fiat currencies (standard codes): a pair of two of them is forex. */
export const FIAT: ReadonlySet<string> = new Set(['USD', 'EUR', 'CAD', 'GBP', 'JPY', 'AUD', 'CHF', 'KRW', 'AED']);
