/**
 * Kraken symbol standardization: a pure module (no I/O).
 *
 * Kraken names a pair several ways: the pair key (`XXBTZUSD`), the altname
 * (`XBTUSD`, used by archive members) and the wsname (`XBT/USD`). Legacy
 * assets carry an X (crypto) or Z (fiat) prefix and Kraken's own codes
 * (`XBT` for BTC, `XDG` for DOGE). candlekeep's standard form is
 * `BASE-QUOTE-TYPE`, e.g. `BTC-USD-SPOT`. Dark-pool pairs of old listings
 * (`XXBTZUSD.d`, `XBTUSD.d`) standardize to `BTC-USD-DARKPOOL`.
 */
import { CandlekeepError } from '../../common/errors';

export class UnknownSymbolError extends CandlekeepError {
  readonly code = 'UNKNOWN_SYMBOL';
  readonly kind = 'usage' as const;
}

export const INSTRUMENT_TYPES = ['SPOT', 'DARKPOOL'] as const;
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

export interface StandardPair {
  /** BASE-QUOTE-TYPE, e.g. BTC-USD-SPOT */
  symbol: string;
  base: string;
  quote: string;
  instrumentType: InstrumentType;
}

/** Kraken asset codes that differ from the common ticker. */
const KRAKEN_TO_STANDARD: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };
const STANDARD_TO_KRAKEN: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };

/**
 * Legacy X/Z-prefixed asset codes (X = crypto, Z = fiat) and their plain
 * codes. Only these lose their prefix: XTZ, ZEUS or ZETA are real tickers.
 */
const LEGACY_PREFIXED: Readonly<Record<string, string>> = {
  XXBT: 'XBT',
  XETH: 'ETH',
  XETC: 'ETC',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XSTR: 'STR',
  XXMR: 'XMR',
  XZEC: 'ZEC',
  XREP: 'REP',
  XREPV2: 'REPV2',
  XMLN: 'MLN',
  XXDG: 'XDG',
  XXTZ: 'XTZ',
  XICN: 'ICN',
  XNMC: 'NMC',
  XXVN: 'XVN',
  XDAO: 'DAO',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZCAD: 'CAD',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZAUD: 'AUD',
  ZCHF: 'CHF',
  ZKRW: 'KRW',
};

/** Fiat currencies (standard codes): a pair of two of them is forex. */
export const FIAT: ReadonlySet<string> = new Set(['USD', 'EUR', 'CAD', 'GBP', 'JPY', 'AUD', 'CHF', 'KRW', 'AED']);

/**
 * Quote assets recognised at the end of a concatenated name (plain codes:
 * fiat, stablecoins and the crypto quotes Kraken lists), longest first so
 * that `XBTUSDT` splits as XBT/USDT and `XBTEUROP` as XBT/EUROP.
 */
const PLAIN_QUOTES: readonly string[] = [
  'EUROP',
  'PYUSD',
  'RLUSD',
  'USDT',
  'USDC',
  'USDG',
  'USDQ',
  'USDR',
  'EURQ',
  'EURR',
  ...FIAT,
  'XBT',
  'BTC',
  'ETH',
  'DAI',
  'DOT',
  'SOL',
  'POL',
].sort((a, b) => b.length - a.length);

const LEGACY_CODES = Object.keys(LEGACY_PREFIXED).sort((a, b) => b.length - a.length);
/** Codes that may start a legacy-style name whose quote is not a known quote (XBTNMC, EURXVN). */
const KNOWN_BASES = [...new Set([...LEGACY_CODES, ...PLAIN_QUOTES])].sort((a, b) => b.length - a.length);

const STANDARD_RE = /^([A-Z0-9.]+)-([A-Z0-9.]+)(?:-([A-Z]+))?$/;
const CODE_RE = /^[A-Z0-9][A-Z0-9.]*$/;
const DARKPOOL_SUFFIX = '.D';

/** One Kraken asset code (legacy-prefixed or not) → standard code: XXBT → BTC, ZUSD → USD, XXDG → DOGE. */
export function standardAsset(code: string): string {
  const upper = code.trim().toUpperCase();
  const plain = LEGACY_PREFIXED[upper] ?? upper;
  return KRAKEN_TO_STANDARD[plain] ?? plain;
}

/** Standard code → the plain Kraken code (BTC → XBT, DOGE → XDG). */
export function krakenAsset(code: string): string {
  const upper = code.trim().toUpperCase();
  return STANDARD_TO_KRAKEN[upper] ?? upper;
}

/** The standard symbol of a pair given by its Kraken (or standard) asset codes. */
export function standardSymbol(base: string, quote: string, instrumentType: InstrumentType = 'SPOT'): string {
  return `${standardAsset(base)}-${standardAsset(quote)}-${instrumentType}`;
}

/**
 * Parses any accepted form — standard (`BTC-USD-SPOT`, `BTC-USD`), wsname
 * (`XBT/USD`), altname (`XBTUSD`) or pair key (`XXBTZUSD`), case-insensitive —
 * into the standard pair. Throws UnknownSymbolError when the name cannot be
 * split into a base and a quote.
 */
export function parseSymbol(name: string): StandardPair {
  let raw = name.trim().toUpperCase();
  const std = STANDARD_RE.exec(raw);
  if (std) {
    const type = std[3] ?? 'SPOT';
    if (!isInstrumentType(type))
      throw unknown(name, `instrument type ${type} is not one of ${INSTRUMENT_TYPES.join(', ')}`);
    return pair(std[1]!, std[2]!, type);
  }
  let type: InstrumentType = 'SPOT';
  if (raw.endsWith(DARKPOOL_SUFFIX)) {
    raw = raw.slice(0, -DARKPOOL_SUFFIX.length);
    type = 'DARKPOOL';
  }
  if (raw.includes('/')) {
    const [base, quote, ...rest] = raw.split('/');
    if (rest.length || !base || !quote || !CODE_RE.test(base) || !CODE_RE.test(quote)) throw unknown(name);
    return pair(base, quote, type);
  }
  if (!CODE_RE.test(raw)) throw unknown(name);
  const split = splitConcatenated(raw);
  if (!split) throw unknown(name);
  return pair(split[0], split[1], type);
}

/**
 * Splits a concatenated Kraken name into base and quote codes:
 * 1. a legacy-prefixed quote (ZUSD, XXBT) when the base is itself a legacy
 *    code or a known quote asset (XXBTZUSD, XETHXXBT, USDTZUSD; but XTZUSD is
 *    XTZ/USD, not XT/ZUSD);
 * 2. a plain quote (USD, USDT, XBT, EUROP ...), longest first;
 * 3. a known base followed by a 3-4 letter code (legacy XBTNMC, EURXVN).
 */
function splitConcatenated(raw: string): [string, string] | undefined {
  for (const quote of LEGACY_CODES) {
    if (!raw.endsWith(quote) || raw.length === quote.length) continue;
    const base = raw.slice(0, -quote.length);
    if (base in LEGACY_PREFIXED || PLAIN_QUOTES.includes(base)) return [base, quote];
  }
  for (const quote of PLAIN_QUOTES) {
    if (!raw.endsWith(quote) || raw.length === quote.length) continue;
    return [raw.slice(0, -quote.length), quote];
  }
  for (const base of KNOWN_BASES) {
    const rest = raw.slice(base.length);
    if (raw.startsWith(base) && /^[A-Z]{3,4}$/.test(rest)) return [base, rest];
  }
  return undefined;
}

/** The pair name Kraken's REST API accepts for a symbol in any accepted form (its altname form: BTC-USD-SPOT → XBTUSD). */
export function toKrakenPair(symbolOrName: string): string {
  const p = parseSymbol(symbolOrName);
  return `${krakenAsset(p.base)}${krakenAsset(p.quote)}${p.instrumentType === 'DARKPOOL' ? '.d' : ''}`;
}

function isInstrumentType(type: string): type is InstrumentType {
  return (INSTRUMENT_TYPES as readonly string[]).includes(type);
}

function pair(base: string, quote: string, type: InstrumentType): StandardPair {
  const b = standardAsset(base);
  const q = standardAsset(quote);
  return { symbol: `${b}-${q}-${type}`, base: b, quote: q, instrumentType: type };
}

function unknown(name: string, why?: string): UnknownSymbolError {
  return new UnknownSymbolError(
    `unknown symbol ${JSON.stringify(name)}${why ? ` (${why})` : ''}: use BASE-QUOTE-TYPE (BTC-USD-SPOT) or a Kraken name (XXBTZUSD, XBTUSD, XBT/USD)`,
  );
}
