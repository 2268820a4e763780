import { CandleSource } from '../../entities/enums';
import { Candle, SeriesRef } from '../candle-store';
import { CandleValueError } from '../candle-store.errors';
import { IlpProtocolVersion } from './ilp-protocol';

/** Room a row needs beyond its constant prefix: 7 columns of at most ~40 bytes, a timestamp and separators. */
const ROW_ROOM = 512;
const INITIAL_BYTES = 1 << 20;
const EQUALS = 0x3d;
/** Protocol 2+: a binary double is '=' then this entity type then 8 bytes little-endian. */
const ENTITY_TYPE_DOUBLE = 16;
/** A double's little-endian bytes, through one shared 8-byte view (the platforms Node runs on are little-endian; checked below). */
const SCRATCH_F64 = new Float64Array(1);
const SCRATCH_BYTES = new Uint8Array(SCRATCH_F64.buffer);
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('IlpCandleEncoder assumes a little-endian platform');

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
 * (issue 15's measurements). A writer's rows share table, symbols and the
 * interval, so that prefix is encoded once; per row only the numbers are.
 *
 * Protocol 1 writes doubles as JavaScript's shortest round-trip text and the
 * designated timestamp in nanoseconds; 2 and 3 write doubles as binary
 * IEEE-754 and the timestamp in microseconds with a `t` suffix.
 */
export class IlpCandleEncoder {
  private buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private position = 0;
  private count = 0;
  private readonly prefix: Buffer;
  private readonly binary: boolean;

  constructor(table: string, series: SeriesRef, source: CandleSource, protocol: IlpProtocolVersion) {
    if (!Number.isInteger(series.intervalMinutes)) throw new CandleValueError(`interval ${series.intervalMinutes} is not an integer`);
    this.prefix = Buffer.from(
      `${escapeIlp(table)},asset=${escapeIlp(series.symbol)},source=${escapeIlp(source)} interval_minutes=${series.intervalMinutes}i`,
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
    if (!Number.isSafeInteger(c.ts) || c.ts < 0) throw new CandleValueError(`ts ${c.ts} is not a whole, non-negative number of seconds`);
    // Every value checked before a byte is written: a refused row leaves nothing half-encoded.
    if (!(Number.isFinite(c.open) && Number.isFinite(c.high) && Number.isFinite(c.low) && Number.isFinite(c.close) && Number.isFinite(c.volume))) {
      throw new CandleValueError(`a price or the volume is not a finite number (${c.open}, ${c.high}, ${c.low}, ${c.close}, ${c.volume})`);
    }
    if (c.vwap !== null && !Number.isFinite(c.vwap)) throw new CandleValueError(`vwap ${c.vwap} is not a finite number`);
    if (this.position + this.prefix.length + ROW_ROOM > this.buffer.length) this.grow();
    this.bytes(this.prefix);
    this.double(OPEN, c.open);
    this.double(HIGH, c.high);
    this.double(LOW, c.low);
    this.double(CLOSE, c.close);
    if (c.vwap !== null) this.double(VWAP, c.vwap);
    this.double(VOLUME, c.volume);
    this.bytes(TRADES);
    this.text(String(c.trades));
    this.bytes(TRADES_END);
    // ts is whole seconds: the unit's zeros are appended, no BigInt per row; 0 is written as 0 (as the client does).
    this.text(String(c.ts));
    if (c.ts === 0) this.bytes(this.binary ? TS_END_US.subarray(6) : TS_END_NS.subarray(9));
    else this.bytes(this.binary ? TS_END_US : TS_END_NS);
    this.count++;
  }

  /** The rows encoded since the last take(), as a Buffer of their own (null when none); the encoder starts over. */
  take(): Buffer | null {
    if (this.count === 0) return null;
    const out = Buffer.from(this.buffer.subarray(0, this.position));
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
      SCRATCH_F64[0] = value;
      for (let i = 0; i < 8; i++) b[this.position++] = SCRATCH_BYTES[i]!;
    } else {
      this.text(String(value));
    }
  }

  // Byte loops instead of Buffer#write/copy: a row is a dozen short pieces, and each call into Buffer's
  // native code cost more than the bytes (measured: latin1Write was the top of the profile).
  private bytes(piece: Uint8Array): void {
    const b = this.buffer;
    let p = this.position;
    for (let i = 0; i < piece.length; i++) b[p++] = piece[i]!;
    this.position = p;
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
  }
}
