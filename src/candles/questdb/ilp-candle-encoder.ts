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
    if (this.position + this.prefix.length + ROW_ROOM > this.buffer.length) this.grow();
    this.position += this.prefix.copy(this.buffer, this.position);
    this.double(',open=', c.open);
    this.double(',high=', c.high);
    this.double(',low=', c.low);
    this.double(',close=', c.close);
    if (c.vwap !== null) this.double(',vwap=', c.vwap);
    this.double(',volume=', c.volume);
    if (!Number.isSafeInteger(c.trades)) throw new CandleValueError(`trades ${c.trades} is not an integer`);
    this.ascii(`,trades=${c.trades}i `);
    // ts is whole seconds: the unit's zeros are appended as text, no BigInt per row.
    if (!Number.isSafeInteger(c.ts) || c.ts < 0) throw new CandleValueError(`ts ${c.ts} is not a whole, non-negative number of seconds`);
    this.ascii(c.ts === 0 ? (this.binary ? '0t\n' : '0\n') : this.binary ? `${c.ts}000000t\n` : `${c.ts}000000000\n`);
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

  private double(label: string, value: number): void {
    if (!Number.isFinite(value)) throw new CandleValueError(`${label.slice(1, -1)} ${value} is not a finite number`);
    this.ascii(label);
    if (this.binary) {
      this.buffer[this.position++] = EQUALS;
      this.buffer[this.position++] = ENTITY_TYPE_DOUBLE;
      this.position = this.buffer.writeDoubleLE(value, this.position);
    } else {
      this.ascii(String(value));
    }
  }

  private ascii(text: string): void {
    this.position += this.buffer.write(text, this.position, 'latin1');
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(this.buffer.length * 2);
    this.buffer.copy(next, 0, 0, this.position);
    this.buffer = next;
  }
}
