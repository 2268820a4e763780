/**
 * Validation of Kraken's `result` payloads into the typed shapes of
 * kraken.types.ts. Anything unexpected is a KrakenResponseError naming the
 * endpoint and the JSON path, never a crash or a silently empty result.
 */
import { KrakenResponseError } from './kraken.errors';
import {
  BookLevel,
  KrakenAssetInfo,
  KrakenAssetPair,
  OhlcCandle,
  OhlcPage,
  OrderBook,
  ServerTime,
  SystemStatus,
  Ticker,
  Trade,
  TradesPage,
} from './kraken.types';

const DECIMAL_RE = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const NS_RE = /^\d+$/;

/** Walks a payload, remembering where it is, to name the offending path in errors. */
class Reader {
  constructor(
    private readonly endpoint: string,
    readonly value: unknown,
    readonly path: string,
  ) {}

  at(key: string | number): Reader {
    const container = typeof key === 'number' ? this.array() : this.object();
    return new Reader(
      this.endpoint,
      (container as Record<string | number, unknown>)[key],
      `${this.path}[${JSON.stringify(key)}]`,
    );
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.object(), key);
  }

  object(): Record<string, unknown> {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) this.fail('an object');
    return this.value as Record<string, unknown>;
  }

  array(minLength = 0): unknown[] {
    if (!Array.isArray(this.value) || this.value.length < minLength)
      this.fail(minLength ? `an array of at least ${minLength} items` : 'an array');
    return this.value as unknown[];
  }

  items(minLength = 0): Reader[] {
    return this.array(minLength).map((v, i) => new Reader(this.endpoint, v, `${this.path}[${i}]`));
  }

  entries(): Array<[string, Reader]> {
    return Object.entries(this.object()).map(([k, v]) => [
      k,
      new Reader(this.endpoint, v, `${this.path}[${JSON.stringify(k)}]`),
    ]);
  }

  string(): string {
    if (typeof this.value !== 'string') this.fail('a string');
    return this.value;
  }

  optionalString(): string | null {
    return this.value === undefined || this.value === null ? null : this.string();
  }

  /** A finite number, sent as a JSON number or a decimal string (Kraken sends prices and volumes as strings). */
  number(): number {
    const v = this.value;
    const n = typeof v === 'number' ? v : typeof v === 'string' && DECIMAL_RE.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(n)) this.fail('a number or decimal string');
    return n;
  }

  integer(): number {
    const n = this.number();
    if (!Number.isInteger(n)) this.fail('an integer');
    return n;
  }

  /** A nanosecond cursor: digits, as a string or a (safe) JSON number. */
  cursor(): string {
    const v = this.value;
    if (typeof v === 'string' && NS_RE.test(v)) return v;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
    return this.fail('a nanosecond cursor (digits)');
  }

  oneOf<T extends string>(mapping: Readonly<Record<string, T>>): T {
    const s = this.string();
    const mapped = mapping[s];
    if (mapped === undefined) this.fail(`one of ${Object.keys(mapping).join(', ')}`);
    return mapped;
  }

  fail(expected: string): never {
    const got = JSON.stringify(this.value);
    throw new KrakenResponseError(
      `Kraken ${this.endpoint}: unexpected response: ${this.path} should be ${expected}, ` +
        `got ${got === undefined ? 'nothing' : got.slice(0, 80)}`,
    );
  }
}

function reader(endpoint: string, result: unknown): Reader {
  return new Reader(endpoint, result, 'result');
}

/** The one pair entry of a per-pair result ({PAIRKEY: ..., last?: ...}). */
function onlyPair(r: Reader): [string, Reader] {
  const pairs = r.entries().filter(([k]) => k !== 'last');
  if (pairs.length !== 1) r.fail(`an object with exactly one pair key (got ${pairs.length})`);
  return pairs[0]!;
}

/**
 * Epoch seconds (with fraction) → nanoseconds as a decimal string, from the
 * number's shortest decimal form so that 1607183031.6367 gives
 * 1607183031636700000 rather than binary noise.
 */
export function secondsToNs(seconds: number): string {
  const [whole = '0', fraction = ''] = String(seconds).split('.');
  return (BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9))).toString();
}

/** JSON numbers of 16+ digits (Trades' `last` in some answers) lose precision in JSON.parse: quote them first. */
export function quoteLongCursors(body: string): string {
  return body.replace(/("last"\s*:\s*)(\d{16,})/g, '$1"$2"');
}

export function parseServerTime(result: unknown): ServerTime {
  const r = reader('Time', result);
  return { unixtime: r.at('unixtime').integer(), rfc1123: r.at('rfc1123').string() };
}

export function parseSystemStatus(result: unknown): SystemStatus {
  const r = reader('SystemStatus', result);
  return { status: r.at('status').string(), timestamp: r.at('timestamp').string() };
}

export function parseAssets(result: unknown): KrakenAssetInfo[] {
  return reader('Assets', result)
    .entries()
    .map(([key, a]) => ({
      key,
      altname: a.at('altname').string(),
      aclass: a.at('aclass').string(),
      decimals: a.at('decimals').integer(),
      displayDecimals: a.at('display_decimals').integer(),
      status: a.has('status') ? a.at('status').string() : null,
    }));
}

export function parseAssetPairs(result: unknown): KrakenAssetPair[] {
  return reader('AssetPairs', result)
    .entries()
    .map(([key, p]) => ({
      key,
      altname: p.at('altname').string(),
      wsname: p.at('wsname').optionalString(),
      base: p.at('base').string(),
      quote: p.at('quote').string(),
      aclassBase: p.at('aclass_base').string(),
      aclassQuote: p.at('aclass_quote').string(),
      status: p.at('status').optionalString(),
      pairDecimals: p.at('pair_decimals').integer(),
      lotDecimals: p.at('lot_decimals').integer(),
    }));
}

function candle(row: Reader): OhlcCandle {
  row.array(8);
  return {
    ts: row.at(0).integer(),
    open: row.at(1).number(),
    high: row.at(2).number(),
    low: row.at(3).number(),
    close: row.at(4).number(),
    vwap: row.at(5).number(),
    volume: row.at(6).number(),
    count: row.at(7).integer(),
  };
}

export function parseOhlc(result: unknown): OhlcPage {
  const r = reader('OHLC', result);
  const [pairKey, rows] = onlyPair(r);
  return { pairKey, candles: rows.items().map(candle), last: r.at('last').integer() };
}

const SIDES = { b: 'buy', s: 'sell' } as const;
const ORDER_TYPES = { m: 'market', l: 'limit' } as const;

function trade(row: Reader): Trade {
  const fields = row.array(6);
  const timeSec = row.at(2).number();
  return {
    price: row.at(0).number(),
    volume: row.at(1).number(),
    timeSec,
    // Newer answers carry the exact nanosecond time as an 8th field.
    timeNs: fields.length >= 8 ? row.at(7).cursor() : secondsToNs(timeSec),
    side: row.at(3).oneOf(SIDES),
    type: row.at(4).oneOf(ORDER_TYPES),
    misc: row.at(5).string(),
    tradeId: fields.length >= 7 ? row.at(6).integer() : null,
  };
}

export function parseTrades(result: unknown): TradesPage {
  const r = reader('Trades', result);
  const [pairKey, rows] = onlyPair(r);
  return { pairKey, trades: rows.items().map(trade), last: r.at('last').cursor() };
}

function pairOf(r: Reader, index: number): [number, number] {
  r.array(index);
  return [r.at(0).number(), r.at(1).number()];
}

export function parseTicker(result: unknown): Ticker {
  const [pairKey, t] = onlyPair(reader('Ticker', result));
  const level = (key: string) => {
    const a = t.at(key);
    a.array(3);
    return { price: a.at(0).number(), wholeLotVolume: a.at(1).number(), lotVolume: a.at(2).number() };
  };
  const todayAnd24h = (key: string) => {
    const [today, last24h] = pairOf(t.at(key), 2);
    return { today, last24h };
  };
  const [lastPrice, lastVolume] = pairOf(t.at('c'), 2);
  return {
    pairKey,
    ask: level('a'),
    bid: level('b'),
    lastTrade: { price: lastPrice, volume: lastVolume },
    volume: todayAnd24h('v'),
    vwap: todayAnd24h('p'),
    trades: todayAnd24h('t'),
    low: todayAnd24h('l'),
    high: todayAnd24h('h'),
    open: t.at('o').number(),
  };
}

function bookLevel(row: Reader): BookLevel {
  row.array(3);
  return { price: row.at(0).number(), volume: row.at(1).number(), timestamp: row.at(2).number() };
}

export function parseDepth(result: unknown): OrderBook {
  const [pairKey, book] = onlyPair(reader('Depth', result));
  return { pairKey, asks: book.at('asks').items().map(bookLevel), bids: book.at('bids').items().map(bookLevel) };
}
