/**
 * Kraken's pair names mapped to the standard parts: a pure module (no I/O).
 *
 * Kraken names a pair several ways: the pair key (`XXBTZUSD`), the altname
 * (`XBTUSD`, used by archive members) and the wsname (`XBT/USD`). Legacy
 * assets carry an X (crypto) or Z (fiat) prefix and Kraken's own codes
 * (`XBT` for BTC, `XDG` for DOGE). Dark-pool pairs of old listings
 * (`XXBTZUSD.d`, `XBTUSD.d`) are the DARKPOOL instrument type (BTC-USD-DARKPOOL).
 */
import { ExchangeSymbols } from '../exchange-capabilities';
import { FIAT, InstrumentType, StandardSymbolParts } from '../standard-symbol-parts';

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

/**
 * The standard parts of a pair named the Kraken way — wsname (`XBT/USD`), altname (`XBTUSD`) or pair key
 * (`XXBTZUSD`), each with an optional `.d` dark-pool suffix, case-insensitive; null when the name does not split into
 * a base and a quote.
 */
export function parseKrakenPair(name: string): StandardSymbolParts | null {
  let raw = name.trim().toUpperCase();
  let type: InstrumentType = 'SPOT';
  if (raw.endsWith(DARKPOOL_SUFFIX)) {
    raw = raw.slice(0, -DARKPOOL_SUFFIX.length);
    type = 'DARKPOOL';
  }
  if (raw.includes('/')) {
    const [base, quote, ...rest] = raw.split('/');
    if (rest.length || !base || !quote || !CODE_RE.test(base) || !CODE_RE.test(quote)) return null;
    return parts(base, quote, type);
  }
  if (!CODE_RE.test(raw)) return null;
  const split = splitConcatenated(raw);
  return split ? parts(split[0], split[1], type) : null;
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

/** The pair name Kraken's REST API accepts for a pair (its altname form: BTC-USD-SPOT → XBTUSD). */
export function toKrakenPair(pair: StandardSymbolParts): string {
  return `${krakenAsset(pair.base)}${krakenAsset(pair.quote)}${pair.instrumentType === 'DARKPOOL' ? '.d' : ''}`;
}

function parts(base: string, quote: string, instrumentType: InstrumentType): StandardSymbolParts {
  return { base: standardAsset(base), quote: standardAsset(quote), instrumentType };
}

/** Kraken's names for the asset catalog, which also accepts the standard BASE-QUOTE-TYPE form. */
export const KRAKEN_SYMBOLS: ExchangeSymbols = {
  nameHint: 'a Kraken name (XXBTZUSD, XBTUSD, XBT/USD)',
  standardAsset,
  parsePair: parseKrakenPair,
};
