import { CandleSource } from '../../common/enums';
import { Candle } from '../candle-store';
import { CandleValueError } from '../candle-store.errors';
import { IlpProtocolVersion } from './ilp-protocol';
import { SeriesRef } from '../../common/series';

/** Room a row needs beyond its constant prefix: 7 columns of at most ~40 bytes, a timestamp and separators. */
const ROW_ROOM = 512;
const INITIAL_BYTES = 1 << 20;
const EQUALS = 0x3d;
/** Protocol 2+: a binary double is '=' then this entity type then 8 bytes little-endian. */
const ENTITY_TYPE_DOUBLE = 16;

const ascii = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const OPEN = ascii(',open=');
const HIGH = ascii(',high=');
const LOW = ascii(',low=');
const CLOSE = ascii(',close=');
const VWAP = ascii(',vwap=');
const VOLUME = ascii(',volume=');
const TRADES = ascii(',trades=');
/** After the trades value: the `i` suffix and the space before the timestamp. */
const TRADES_END = ascii('i ');
/** After the timestamp's seconds: the unit's zeros, the suffix and the newline (protocol 1: ns; 2 and 3: µs, `t`). */
const TS_END_NS = ascii('000000000\n');
const TS_END_US = ascii('000000t\n');
/** 10^0 … 10^15: a safe integer's digit count is where it stops being >= these (10^16 > 2^53). */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** ILP escaping of names and symbol values, as the client writes them (space, comma, equals, newlines, backslash). */
export function escapeIlp(value: string): string {
  return value.replace(/[ ,=\n\r\\]/g, (ch) => (ch === '\\' ? '\\\\' : `\\${ch}`));
}

/**
 * Encodes candles of one series and source as ILP rows straight into a
 * reusable Buffer, byte for byte what `@questdb/nodejs-client`'s buffer
 * writes for the same row (test: ilp-candle-encoder.spec.ts compares them).
 * Hand-written because it is the hot path of a QuestDB bulk load: the
 * client's buffer validates and escapes every name on every row and ran at
 * ~55k rows/s on the development machine, a fraction of what QuestDB takes
 * (README, "Candles in QuestDB"). A writer's rows share table, symbols and the
 * interval, so that prefix is encoded once; per row only the numbers are.
 *
 * Protocol 1 writes doubles as JavaScript's shortest round-trip text and the
 * designated timestamp in nanoseconds; 2 and 3 write doubles as binary
 * IEEE-754 and the timestamp in microseconds with a `t` suffix.
 */
export class IlpCandleEncoder {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  /** The buffer's binary doubles are written through this view (little-endian, as ILP wants them). */
  private view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  /** The other buffer: take() hands out the one encoded into and continues in this one (no copy, no new memory). */
  private spare = Buffer.allocUnsafe(INITIAL_BYTES);
  private position = 0;
  private count = 0;
  private readonly prefix: Buffer;
  private readonly binary: boolean;

  constructor(table: string, series: SeriesRef, source: CandleSource, protocol: IlpProtocolVersion) {
    if (!Number.isInteger(series.intervalMinutes))
      throw new CandleValueError(`interval ${series.intervalMinutes} is not an integer`);
    this.prefix = Buffer.from(
      `${escapeIlp(table)},asset=${escapeIlp(series.symbol)},source=${escapeIlp(source)} ` +
        `interval_minutes=${series.intervalMinutes}i`,
      'utf8',
    );
    this.binary = protocol !== '1';
  }

  /** Rows encoded since the last take(). */
  get rows(): number {
    return this.count;
  }

  /** Appends one row (vwap left out when null, as QuestDB then stores NULL). Values must be finite (checkCandle). */
  add(c: Candle): void {
    if (!Number.isSafeInteger(c.trades)) throw new CandleValueError(`trades ${c.trades} is not an integer`);
    if (!Number.isSafeInteger(c.ts) || c.ts < 0)
      throw new CandleValueError(`ts ${c.ts} is not a whole, non-negative number of seconds`);
    // Every value checked before a byte is written: a refused row leaves nothing half-encoded.
    if (!(
      Number.isFinite(c.open) &&
      Number.isFinite(c.high) &&
      Number.isFinite(c.low) &&
      Number.isFinite(c.close) &&
      Number.isFinite(c.volume)
    )) {
      throw new CandleValueError(
        `a price or the volume is not a finite number (${c.open}, ${c.high}, ${c.low}, ${c.close}, ${c.volume})`,
      );
    }
    if (c.vwap !== null && !Number.isFinite(c.vwap))
      throw new CandleValueError(`vwap ${c.vwap} is not a finite number`);
    if (this.position + this.prefix.length + ROW_ROOM > this.buffer.length) this.grow();
    this.bytes(this.prefix);
    this.double(OPEN, c.open);
    this.double(HIGH, c.high);
    this.double(LOW, c.low);
    this.double(CLOSE, c.close);
    if (c.vwap !== null) this.double(VWAP, c.vwap);
    this.double(VOLUME, c.volume);
    this.bytes(TRADES);
    this.integer(c.trades);
    this.bytes(TRADES_END);
    // ts is whole seconds: the unit's zeros are appended, no BigInt per row; 0 is written as 0 (as the client does).
    this.integer(c.ts);
    if (c.ts === 0) this.bytes(this.binary ? TS_END_US.subarray(6) : TS_END_NS.subarray(9));
    else this.bytes(this.binary ? TS_END_US : TS_END_NS);
    this.count++;
  }

  /**
   * The rows encoded since the last take() (null when none); the encoder starts over in its other buffer.
   * The batch is a view, intact until rows are added after the next take(): send it before then (the bulk
   * writer keeps one request in flight and takes the next batch only after it was acknowledged). Two buffers
   * swapped instead of a copy per batch: the copies into fresh memory were a tenth of a bulk load (measured).
   */
  take(): Buffer | null {
    if (this.count === 0) return null;
    const out = this.buffer.subarray(0, this.position);
    [this.buffer, this.spare] = [this.spare, this.buffer];
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
    this.reset();
    return out;
  }

  reset(): void {
    this.position = 0;
    this.count = 0;
  }

  /** A checked (finite) double after its label. */
  private double(label: Uint8Array, value: number): void {
    this.bytes(label);
    if (this.binary) {
      const b = this.buffer;
      b[this.position++] = EQUALS;
      b[this.position++] = ENTITY_TYPE_DOUBLE;
      this.view.setFloat64(this.position, value, true);
      this.position += 8;
    } else {
      this.text(String(value));
    }
  }

  // Byte loops and TypedArray#set instead of Buffer#write/copy: a row is a dozen short pieces, and each call into
  // Buffer's native code cost more than the bytes (measured: latin1Write was the top of the profile). The long
  // constant prefix goes through set() (a builtin, no native call): 2.5× faster than a loop over its ~50 bytes.
  private bytes(piece: Uint8Array): void {
    const b = this.buffer;
    let p = this.position;
    if (piece.length > 16) {
      b.set(piece, p);
      p += piece.length;
    } else for (let i = 0; i < piece.length; i++) b[p++] = piece[i]!;
    this.position = p;
  }

  /** A safe integer as decimal digits (what String() gives, without a string per value). */
  private integer(value: number): void {
    const b = this.buffer;
    if (value < 0) {
      b[this.position++] = 0x2d;
      value = -value;
    }
    let digits = 1;
    while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]!) digits++;
    let p = this.position + digits;
    this.position = p;
    let rest = value;
    // Below 2^31 (every ts before 2038, every trade count) the digits come from int32 arithmetic.
    if (rest <= 0x7fffffff) {
      do {
        const next = (rest / 10) | 0;
        b[--p] = 0x30 + rest - next * 10;
        rest = next;
      } while (rest > 0);
      return;
    }
    do {
      const digit = rest % 10;
      b[--p] = 0x30 + digit;
      rest = (rest - digit) / 10;
    } while (rest > 0);
  }

  /** ASCII text (digits, `.`, `e`, `+`, `-`). */
  private text(value: string): void {
    const b = this.buffer;
    let p = this.position;
    for (let i = 0; i < value.length; i++) b[p++] = value.charCodeAt(i);
    this.position = p;
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(this.buffer.length * 2);
    this.buffer.copy(next, 0, 0, this.position);
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}
