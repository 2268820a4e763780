import { Writable } from 'node:stream';
import { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/*
 * PostgreSQL binary COPY, both ways, written by hand: it is the measured hot
 * path of archive ingestion, gap detection and reports (README benchmarks).
 * Encoding straight into a reused buffer, and decoding numbers and times
 * straight from the received bytes (no text, no per-field parser), is what
 * makes it fast; no npm package does either.
 */

/** Seconds between the Unix epoch and PostgreSQL's (2000-01-01), for binary timestamptz. */
const PG_EPOCH_OFFSET = 946_684_800;
const TWO_32 = 4_294_967_296;
/** Buffers are handed to the stream at this size (bytes). */
const FLUSH_BYTES = 1 << 18;
const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const COPY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * `COPY … FROM STDIN (FORMAT binary)`: encoders write tuples at `buf[pos]`
 * (after `fits`/`reserve`); this class frames the stream and hands full
 * buffers to the connection, honouring backpressure, so the server ingests
 * one buffer while the caller encodes the next.
 */
export class BinaryCopyStream {
  buf = Buffer.allocUnsafe(FLUSH_BYTES);
  pos = 0;
  private readonly stream: Writable;
  private readonly done: Promise<void>;
  private failure: Error | null = null;
  private ended = false;

  /** Starts `sql` (a COPY … FROM STDIN (FORMAT binary)) on the client. */
  constructor(client: PoolClient, sql: string) {
    const stream = client.query(copyFrom(sql));
    this.stream = stream;
    this.done = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', (e: Error) => {
        this.failure ??= e;
        reject(e);
      });
    });
    this.done.catch(() => undefined);
    COPY_HEADER.copy(this.buf, 0);
    this.pos = COPY_HEADER.length;
  }

  /** The first error the server reported for this COPY, if any. */
  get error(): Error | null {
    return this.failure;
  }

  /** Whether `bytes` more fit at `pos` (the synchronous fast path; else `reserve`). */
  fits(bytes: number): boolean {
    return this.pos + bytes <= this.buf.length;
  }

  /** Room for `bytes` more at `pos`: hands the buffer over first when it is too full. Throws a reported error. */
  async reserve(bytes: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pos + bytes > this.buf.length) await this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Sends the trailer and waits for the server to accept the whole COPY. */
  async end(): Promise<void> {
    await this.reserve(COPY_TRAILER.length);
    this.pos += COPY_TRAILER.copy(this.buf, this.pos);
    await this.flush();
    this.ended = true;
    this.stream.end();
    await this.done;
  }

  /** Abandons the COPY (the server fails it; roll the transaction back after). */
  async destroy(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stream.destroy();
    await this.done.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(FLUSH_BYTES);
    this.pos = 0;
    if (!this.stream.write(chunk)) {
      const stream = this.stream;
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => (stream.off('error', onError), resolve());
        const onError = (e: Error) => (stream.off('drain', onDrain), reject(e));
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    }
    if (this.failure) throw this.failure;
  }
}

/*
 * Field encoders: each writes one field (length word and value) at `p` and
 * returns the position after it. Callers reserve the room first.
 */

/** Starts a tuple of `fieldCount` fields. */
export function tupleStart(b: Buffer, p: number, fieldCount: number): number {
  return b.writeInt16BE(fieldCount, p);
}

export function int4(b: Buffer, p: number, v: number): number {
  p = b.writeInt32BE(4, p);
  return b.writeInt32BE(v, p);
}

/** int8 from a safe integer, as two 32-bit halves. */
export function int8(b: Buffer, p: number, v: number): number {
  const hi = Math.floor(v / TWO_32);
  p = b.writeInt32BE(8, p);
  p = b.writeInt32BE(hi, p);
  return b.writeUInt32BE(v - hi * TWO_32, p);
}

export function float8(b: Buffer, p: number, v: number): number {
  p = b.writeInt32BE(8, p);
  return b.writeDoubleBE(v, p);
}

/** timestamptz from epoch seconds (microseconds since 2000-01-01 UTC). */
export function timestamptz(b: Buffer, p: number, epochSeconds: number): number {
  return int8(b, p, Math.round((epochSeconds - PG_EPOCH_OFFSET) * 1_000_000));
}

export function nullField(b: Buffer, p: number): number {
  return b.writeInt32BE(-1, p);
}

/** Pre-encoded text (e.g. a constant column value). */
export function bytesField(b: Buffer, p: number, bytes: Buffer): number {
  p = b.writeInt32BE(bytes.length, p);
  return p + bytes.copy(b, p);
}

/** UTF-8 text or NULL; reserve TEXT_FIELD_BYTES(s) for it. */
export function textField(b: Buffer, p: number, s: string | null): number {
  if (s === null) return nullField(b, p);
  const n = b.write(s, p + 4, 'utf8');
  b.writeInt32BE(n, p);
  return p + 4 + n;
}

/** Upper bound of the bytes textField writes for `s`. */
export function textFieldBytes(s: string | null): number {
  return s === null ? 4 : 4 + 3 * s.length;
}

/**
 * Runs `COPY (query) TO STDOUT (FORMAT binary)` and returns the tuples read
 * by `decode` (called once per tuple, reading its fields in order). COPY takes
 * no bind parameters: build the query with the literal helpers below.
 */
export async function copyOut<T>(
  client: PoolClient,
  query: string,
  decode: (tuple: BinaryTupleReader) => T,
): Promise<T[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`)))
    chunks.push(chunk as Buffer);
  const reader = new BinaryTupleReader(Buffer.concat(chunks));
  const out: T[] = [];
  while (reader.next()) out.push(decode(reader));
  return out;
}

/** An int[] literal of integers (checked), for a query without bind parameters. */
export function intArrayLiteral(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
  return `'{${values.join(',')}}'::int[]`;
}

/** A text[] literal, each value quoted, for a query without bind parameters. */
export function textArrayLiteral(values: readonly string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(',')}]::text[]`;
}

/**
 * Reads the tuples of a binary COPY: `next()` starts one, then one read per
 * field in column order (the `…OrNull` forms where the column may be NULL).
 */
export class BinaryTupleReader {
  private pos: number;

  constructor(private readonly buf: Buffer) {
    if (buf.length === 0) {
      this.pos = 0;
      return;
    }
    if (buf.compare(COPY_HEADER, 0, 11, 0, 11) !== 0) throw new Error('binary COPY: bad signature');
    this.pos = 19 + buf.readInt32BE(15); // signature, flags, header extension length and extension
  }

  /** Starts the next tuple; false at the end. */
  next(): boolean {
    if (this.pos + 2 > this.buf.length) return false;
    const fields = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return fields !== -1;
  }

  int4(): number {
    const v = this.buf.readInt32BE(this.pos + 4);
    this.pos += 8;
    return v;
  }

  /** int8 as a number (exact below 2^53). */
  int8(): number {
    const v = this.buf.readInt32BE(this.pos + 4) * TWO_32 + this.buf.readUInt32BE(this.pos + 8);
    this.pos += 12;
    return v;
  }

  float8(): number {
    const v = this.buf.readDoubleBE(this.pos + 4);
    this.pos += 12;
    return v;
  }

  /** timestamptz as epoch seconds (times on whole seconds, as candle and gap spans are). */
  epochSeconds(): number {
    return Math.floor(this.micros() / 1_000_000) + PG_EPOCH_OFFSET;
  }

  /** timestamptz as a Date, cut to the millisecond as pg's own Date parsing does. */
  date(): Date {
    return new Date(Math.floor(this.micros() / 1000) + PG_EPOCH_OFFSET * 1000);
  }

  dateOrNull(): Date | null {
    return this.isNull() ? null : this.date();
  }

  text(): string {
    const n = this.buf.readInt32BE(this.pos);
    const s = this.buf.toString('utf8', this.pos + 4, this.pos + 4 + n);
    this.pos += 4 + n;
    return s;
  }

  textOrNull(): string | null {
    return this.isNull() ? null : this.text();
  }

  /** Skips a NULL field and says so; else leaves the field to be read. */
  private isNull(): boolean {
    if (this.buf.readInt32BE(this.pos) !== -1) return false;
    this.pos += 4;
    return true;
  }

  private micros(): number {
    const v = this.buf.readInt32BE(this.pos + 4) * TWO_32 + this.buf.readUInt32BE(this.pos + 8);
    this.pos += 12;
    return v;
  }
}
