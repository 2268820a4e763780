/**
 * Kraken symbol standardization: a pure module (no I/O).
 *
 * Kraken names a pair several ways: the pair key (`XXBTZUSD`), the altname
 * (`XBTUSD`, used by archive members) and the wsname (`XBT/USD`). Legacy
 * assets carry an X (crypto) or Z (fiat) prefix and Kraken's own codes
 * (`XBT` for BTC, `XDG` for DOGE). candlekeep's standard form is
 * `BASE-QUOTE-TYPE`, e.g. `BTC-USD-SPOT`.
 */
import { CandlekeepError } from '../../common/errors';

export class UnknownSymbolError extends CandlekeepError {
  readonly code = 'UNKNOWN_SYMBOL';
  readonly kind = 'usage' as const;
}

export interface StandardPair {
  /** BASE-QUOTE-TYPE, e.g. BTC-USD-SPOT */
  symbol: string;
  base: string;
  quote: string;
  instrumentType: string;
}

/** Kraken asset codes that differ from the common ticker. */
const KRAKEN_TO_STANDARD: Readonly<Record<string, string>> = { XBT: 'BTC', XDG: 'DOGE' };
const STANDARD_TO_KRAKEN: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };

/** Legacy 4-letter X/Z-prefixed asset codes (X = crypto, Z = fiat) and their plain codes. */
const LEGACY_PREFIXED: Readonly<Record<string, string>> = {
  XXBT: 'XBT',
  XETH: 'ETH',
  XETC: 'ETC',
  XLTC: 'LTC',
  XXRP: 'XRP',
  XXLM: 'XLM',
  XXMR: 'XMR',
  XZEC: 'ZEC',
  XREP: 'REP',
  XMLN: 'MLN',
  XXDG: 'XDG',
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

export const FIAT = new Set(['USD', 'EUR', 'CAD', 'GBP', 'JPY', 'AUD', 'CHF', 'KRW', 'AED']);

/**
 * Quote assets recognised at the end of a concatenated name, longest first so
 * that `XBTUSDT` splits as XBT/USDT and `XXBTZUSD` as XXBT/ZUSD.
 */
const QUOTES = [
  'EUROP',
  'PYUSD',
  'RLUSD',
  'ZUSD',
  'ZEUR',
  'ZCAD',
  'ZGBP',
  'ZJPY',
  'ZAUD',
  'ZCHF',
  'XXBT',
  'XETH',
  'USDT',
  'USDC',
  'USDG',
  'USDQ',
  'USDR',
  'EURQ',
  'EURR',
  'USD',
  'EUR',
  'CAD',
  'GBP',
  'JPY',
  'AUD',
  'CHF',
  'AED',
  'XBT',
  'BTC',
  'ETH',
  'DAI',
  'DOT',
  'SOL',
  'POL',
].sort((a, b) => b.length - a.length);

/** One Kraken asset code (legacy-prefixed or not) → standard code. */
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

export function standardSymbol(base: string, quote: string, instrumentType = 'SPOT'): string {
  return `${standardAsset(base)}-${standardAsset(quote)}-${instrumentType.toUpperCase()}`;
}

const STANDARD_RE = /^([A-Z0-9.]+)-([A-Z0-9.]+)-([A-Z]+)$/;
const CODE_RE = /^[A-Z0-9.]+$/;

/**
 * Parses any accepted form — standard (`BTC-USD-SPOT`), wsname (`XBT/USD`),
 * altname (`XBTUSD`) or pair key (`XXBTZUSD`) — into the standard pair.
 * Throws UnknownSymbolError when the name cannot be split into base and quote.
 */
export function parseSymbol(name: string): StandardPair {
  const raw = name.trim().toUpperCase();
  const std = STANDARD_RE.exec(raw);
  if (std) return pair(std[1]!, std[2]!, std[3]!);
  if (raw.includes('/')) {
    const [base, quote, ...rest] = raw.split('/');
    if (rest.length || !base || !quote || !CODE_RE.test(base) || !CODE_RE.test(quote)) throw unknown(name);
    return pair(base, quote, 'SPOT');
  }
  if (!CODE_RE.test(raw)) throw unknown(name);
  for (const quote of QUOTES) {
    if (raw.length > quote.length && raw.endsWith(quote)) {
      const base = raw.slice(0, raw.length - quote.length);
      // A 4-letter X-prefixed base before a Z-fiat or X-crypto quote is the legacy pair-key form.
      if (base.length >= 2) return pair(base, quote, 'SPOT');
    }
  }
  throw unknown(name);
}

/** The pair name Kraken's REST API accepts for a standard pair (its altname form, e.g. XBTUSD). */
export function toKrakenPair(symbolOrName: string): string {
  const p = parseSymbol(symbolOrName);
  return `${krakenAsset(p.base)}${krakenAsset(p.quote)}`;
}

function pair(base: string, quote: string, type: string): StandardPair {
  const b = standardAsset(base);
  const q = standardAsset(quote);
  return { symbol: `${b}-${q}-${type}`, base: b, quote: q, instrumentType: type };
}

function unknown(name: string): UnknownSymbolError {
  return new UnknownSymbolError(
    `unknown symbol ${JSON.stringify(name)}: use BASE-QUOTE-TYPE (BTC-USD-SPOT) or a Kraken name (XXBTZUSD, XBTUSD, XBT/USD)`,
  );
}
