import { valueProblem } from '../candles/candle-check';
import { Candle } from '../candles/candle-store';
import { subtractSpans } from '../coverage/coverage-math';
import { Span } from '../common/series';

export interface RowReject {
  /** 1-based line number in the file. */
  line: number;
  /**
   * `code: detail`; codes: empty_line, line_too_long, field_count, truncated, bad_timestamp, unaligned_timestamp,
   * bad_number, non_positive_price, ohlc_inconsistent, negative_volume, bad_trades, not_increasing,
   * duplicate_timestamp, open_candle.
   */
  reason: string;
  /** The line as text; bytes PostgreSQL text cannot hold (NUL, invalid UTF-8) as \xHH, a backslash as \\. */
  raw: string;
}

/** What one push() produced; the caller drains and clears both arrays. */
export interface ParseBatch {
  candles: Candle[];
  rejects: RowReject[];
}

export interface ParserOptions {
  intervalMinutes: number;
  /** Clock.now in epoch seconds: a candle whose period has not ended by then is open and rejected. */
  nowSeconds: number;
}

const NL = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
const FIELDS = 7;
/** A line longer than this is garbage (real rows are < 120 bytes); it is rejected without being buffered. */
const MAX_LINE_BYTES = 4096;
const MAX_RAW = 512;
const MAX_TS_DIGITS = 11;
const INT32_MAX = 2_147_483_647;
const NUMBER_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Streaming parser and validator of Kraken OHLCVT CSV members
 * (`ts,open,high,low,close,volume,trades`, no header).
 *
 * Hand-written on purpose: this is the measured hot path of ingestion (a byte
 * scanner parses ~5M rows/s where csv-parse manages 0.3–0.46M, measured on the development machine;
 * README, "Ingestion benchmark").
 * It scans Buffers for newlines and commas, keeps at most one partial line
 * between chunks (memory is independent of file size), accepts LF or CRLF,
 * a missing or present trailing newline and numbers in scientific notation
 * (`1E+1`), and rejects each bad row with its line number, a reason and the
 * raw text. Rows must be strictly increasing in time: a row at or before the
 * last accepted one is rejected.
 *
 * Coverage honesty: a reject whose timestamp is unknown (bad field count,
 * bad or unaligned timestamp) leaves the span between the accepted rows
 * around it unknown, so it breaks the file's coverage into segments; a reject
 * with a known aligned timestamp removes that one slot. `coverage()` returns
 * what the file proves.
 */
export class OhlcvtParser {
  private readonly step: number;
  private readonly openAfter: number;
  private carry: Buffer | null = null;
  /** Discarding the rest of an over-long line until its newline. */
  private skipping = false;
  private line = 0;
  private readonly commas = new Int32Array(FIELDS);

  rowsRead = 0;
  rowsAccepted = 0;
  rowsRejected = 0;
  /** A first line that is a header (`time,open,high,…`): skipped, not a row. */
  header: string | null = null;
  /** Field counts of the rejected rows whose fields were counted wrong (what the file looks like). */
  readonly fieldCounts = new Map<number, number>();
  firstTs: number | null = null;
  lastTs: number | null = null;

  private readonly segments: Span[] = [];
  private segmentOpen = false;
  private readonly holes: Span[] = [];
  /**
   * The last accepted row, held back one row: a next row with its timestamp and other values makes the slot
   * ambiguous, and then neither is kept (both are rejected).
   */
  private pending: Candle | null = null;
  /**
   * Where the held row came from (its reject's line and text if it turns out ambiguous): fields, not an object per row.
   */
  private pendingLine = 0;
  private pendingBuf: Buffer | null = null;
  private pendingStart = 0;
  private pendingEnd = 0;
  /** Accepted ts before the pending row's (for lastTs when the pending row turns out ambiguous). */
  private previousTs: number | null = null;
  /** A timestamp found ambiguous: every further row claiming it is rejected too. */
  private ambiguousTs: number | null = null;

  constructor(options: ParserOptions) {
    this.step = options.intervalMinutes * 60;
    // The last open time whose period has ended at `now`.
    this.openAfter = options.nowSeconds - this.step;
  }

  /** Parses every complete line of `chunk` into `out`. */
  push(chunk: Buffer, out: ParseBatch): void {
    let pos = 0;
    if (this.carry !== null || this.skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.appendCarry(chunk, out);
        return;
      }
      if (this.skipping) {
        this.skipping = false;
      } else {
        const carry = this.carry as Buffer;
        this.carry = null;
        if (carry.length + nl > MAX_LINE_BYTES)
          this.rejectLongLine(Buffer.concat([carry, chunk.subarray(0, Math.min(nl, MAX_RAW))]), out);
        else {
          const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
          this.parseLine(joined, 0, joined.length, false, out);
        }
      }
      pos = nl + 1;
    }
    const commas = this.commas;
    const length = chunk.length;
    for (;;) {
      // One pass finds the line's end and its commas: a Buffer#indexOf per line was a native call per row, a
      // tenth of the parser's time (measured). `commas` as parseLine counts them: the first six, n capped at 7.
      let n = 0;
      let nl = pos;
      for (; nl < length; nl++) {
        const c = chunk[nl]!;
        if (c === NL) break;
        if (c === COMMA) {
          if (n < FIELDS - 1) commas[n] = nl;
          if (n < FIELDS) n++;
        }
      }
      if (nl === length) break;
      if (nl - pos > MAX_LINE_BYTES) this.rejectLongLine(chunk.subarray(pos, pos + MAX_RAW), out);
      else this.parseLine(chunk, pos, nl, false, out, n);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.appendCarry(chunk.subarray(pos), out);
  }

  /**
   * End of input: a last line without newline is parsed (and named truncated if it is incomplete); the held row is
   * emitted.
   */
  end(out: ParseBatch): void {
    if (this.carry !== null) {
      const last = this.carry;
      this.carry = null;
      this.parseLine(last, 0, last.length, true, out);
    }
    this.skipping = false;
    if (this.pending) out.candles.push(this.pending);
    this.pending = null;
    this.pendingBuf = null;
  }

  /** The spans this file proves complete: accepted rows' span minus what rejects leave unknown. */
  coverage(): Span[] {
    const spans: Span[] = [];
    for (const segment of this.segments) spans.push(...subtractSpans(segment, this.holes, this.step));
    return spans;
  }

  private appendCarry(part: Buffer, out: ParseBatch): void {
    if (this.skipping) return;
    const carry = this.carry === null ? Buffer.from(part) : Buffer.concat([this.carry, part]);
    if (carry.length > MAX_LINE_BYTES) {
      this.carry = null;
      this.skipping = true;
      this.rejectLongLine(carry.subarray(0, MAX_RAW), out);
    } else {
      this.carry = carry;
    }
  }

  private rejectLongLine(head: Buffer, out: ParseBatch): void {
    this.line++;
    this.rowsRead++;
    this.reject(out, `line_too_long: more than ${MAX_LINE_BYTES} bytes`, head.toString('utf8'), null);
  }

  /** `scanned`: the line's commas are already in `commas` (this many, capped at 7); -1: count them here. */
  private parseLine(buf: Buffer, start: number, end: number, last: boolean, out: ParseBatch, scanned = -1): void {
    this.line++;
    if (end > start && buf[end - 1] === CR) end--;
    this.rowsRead++;
    if (end === start) {
      this.reject(out, 'empty_line: no fields', '', null);
      return;
    }
    if (this.line === 1 && isHeader(buf, start, end)) {
      // Re-exported files (e.g. BONKUSD_1440.csv) carry `time,open,high,low,close,volume,trades`: not a row.
      this.rowsRead--;
      this.header = buf.toString('utf8', start, Math.min(end, start + MAX_RAW));
      return;
    }
    const commas = this.commas;
    let n = scanned;
    if (n < 0) {
      n = 0;
      for (let i = start; i < end; i++) {
        if (buf[i] === COMMA) {
          if (n === FIELDS - 1) {
            n++;
            break;
          }
          commas[n++] = i;
        }
      }
    }
    if (n !== FIELDS - 1) {
      const fields = n >= FIELDS ? 'more than 7' : String(n + 1);
      if (n < FIELDS) this.fieldCounts.set(n + 1, (this.fieldCounts.get(n + 1) ?? 0) + 1);
      const reason =
        last && n < FIELDS - 1
          ? `truncated: last line has no line end and ${fields} of 7 fields`
          : `field_count: expected 7 fields, got ${fields}`;
      this.reject(out, reason, raw(buf, start, end), null);
      return;
    }

    const ts = parseUint(buf, start, commas[0]!, MAX_TS_DIGITS);
    if (ts < 0) {
      this.reject(out, 'bad_timestamp: not an integer of epoch seconds', raw(buf, start, end), null);
      return;
    }
    if (ts % this.step !== 0) {
      this.reject(out, `unaligned_timestamp: ${ts} is not a multiple of ${this.step} s`, raw(buf, start, end), null);
      return;
    }

    const open = parseDecimal(buf, commas[0]! + 1, commas[1]!);
    const high = parseDecimal(buf, commas[1]! + 1, commas[2]!);
    const low = parseDecimal(buf, commas[2]! + 1, commas[3]!);
    const close = parseDecimal(buf, commas[3]! + 1, commas[4]!);
    const volume = parseDecimal(buf, commas[4]! + 1, commas[5]!);
    if (Number.isNaN(open + high + low + close + volume)) {
      const bad = [open, high, low, close, volume].findIndex((v) => Number.isNaN(v));
      this.reject(out, `bad_number: ${NUMBER_FIELDS[bad]} is not a finite number`, raw(buf, start, end), ts);
      return;
    }
    // The one value rule of every source (candle-check.ts).
    const problem = valueProblem(open, high, low, close, volume);
    if (problem) {
      this.reject(out, `${problem.code}: ${problem.detail}`, raw(buf, start, end), ts);
      return;
    }
    const trades = parseUint(buf, commas[5]! + 1, end, 10);
    if (trades < 0 || trades > INT32_MAX) {
      this.reject(out, 'bad_trades: trades is not a non-negative integer', raw(buf, start, end), ts);
      return;
    }
    if (this.lastTs !== null && ts === this.lastTs) {
      this.duplicate(out, ts, [open, high, low, close, volume, trades], raw(buf, start, end));
      return;
    }
    if (this.lastTs !== null && ts < this.lastTs) {
      // An earlier slot claimed again, out of order: the file says two things about it, so it is not proven.
      this.reject(
        out,
        `not_increasing: ts ${ts} is not after the previous row's ${this.lastTs}`,
        raw(buf, start, end),
        ts,
        true,
      );
      return;
    }
    if (ts > this.openAfter) {
      this.reject(
        out,
        `open_candle: the period starting ${ts} has not ended at ${this.openAfter + this.step}`,
        raw(buf, start, end),
        ts,
      );
      return;
    }

    this.rowsAccepted++;
    this.firstTs ??= ts;
    this.previousTs = this.lastTs;
    this.lastTs = ts;
    if (this.segmentOpen) this.segments[this.segments.length - 1]!.to = ts;
    else {
      this.segments.push({ from: ts, to: ts });
      this.segmentOpen = true;
    }
    if (this.pending) out.candles.push(this.pending);
    this.pending = { ts, open, high, low, close, vwap: null, volume, trades };
    this.pendingLine = this.line;
    this.pendingBuf = buf;
    this.pendingStart = start;
    this.pendingEnd = end;
  }

  /**
   * A row with the timestamp of the last accepted one. The same values again: a harmless repeat, rejected, the
   * slot stays covered. Other values: the slot is ambiguous — the held row is taken back and rejected too (both
   * reported), the slot is uncovered, and any further row claiming it is rejected as well.
   */
  private duplicate(out: ParseBatch, ts: number, values: readonly number[], rawText: string): void {
    const c = this.pending;
    if (this.ambiguousTs === ts || !c || c.ts !== ts) {
      this.reject(out, `duplicate_timestamp: ts ${ts} is ambiguous (rows with other values claim it)`, rawText, ts);
      return;
    }
    if ([c.open, c.high, c.low, c.close, c.volume, c.trades].every((v, i) => v === values[i])) {
      this.reject(out, `not_increasing: ts ${ts} repeats the previous row's (same values)`, rawText, null, true);
      return;
    }
    // Take the held row back: it is no longer accepted, and the slot is not covered.
    this.pending = null;
    this.ambiguousTs = ts;
    this.rowsAccepted--;
    this.lastTs = ts; // later rows must still come after it
    if (this.rowsAccepted === 0) this.firstTs = null;
    this.rowsRejected++;
    out.rejects.push({
      line: this.pendingLine,
      reason: `duplicate_timestamp: ts ${ts} appears again on line ${this.line} with other values`,
      raw: raw(this.pendingBuf!, this.pendingStart, this.pendingEnd),
    });
    this.pendingBuf = null;
    this.holes.push({ from: ts, to: ts });
    this.reject(
      out,
      `duplicate_timestamp: ts ${ts} appears on line ${this.pendingLine} with other values`,
      rawText,
      ts,
    );
  }

  /** The last accepted (kept) row's ts: lastTs unless the last one claimed was found ambiguous. */
  get lastAcceptedTs(): number | null {
    return this.ambiguousTs !== null && this.ambiguousTs === this.lastTs ? this.previousTs : this.lastTs;
  }

  /**
   * `slot` is the timestamp the rejected row claimed when it is known and
   * aligned (that one slot is unknown now), null when it is not (the
   * segment of accepted rows ends here). A duplicate of the last accepted row
   * (`keepSegment`) leaves coverage intact.
   */
  private reject(out: ParseBatch, reason: string, rawText: string, slot: number | null, keepSegment = false): void {
    this.rowsRejected++;
    out.rejects.push({ line: this.line, reason, raw: rawText });
    if (slot !== null) this.holes.push({ from: slot, to: slot });
    else if (!keepSegment) this.segmentOpen = false;
  }
}

/** A first line of column names, not numbers: 5 to 7 fields, each a name (letters, `_`, spaces). */
function isHeader(buf: Buffer, start: number, end: number): boolean {
  const fields = buf.toString('latin1', start, end).split(',');
  return fields.length >= 5 && fields.length <= FIELDS && fields.every((f) => /^[A-Za-z_ ]+$/.test(f));
}

/**
 * What a file whose rows all had the same wrong number of fields looks like,
 * for its failure message; null when nothing stands out.
 */
export function foreignShape(parser: OhlcvtParser): string | null {
  if (parser.rowsAccepted > 0 || parser.fieldCounts.size !== 1) return null;
  const [only] = parser.fieldCounts;
  if (!only) return null;
  const [fields, count] = only;
  if (count < parser.rowsRejected * 0.9) return null;
  const what =
    fields === 3
      ? 'a Kraken trades CSV (time,price,volume)'
      : fields === 6
        ? 'OHLCV without the trades column'
        : `${fields}-column rows`;
  return `${fields} columns in every row: ${what}, not OHLCVT (time,open,high,low,close,volume,trades)`;
}

/**
 * A rejected line's text for storage: UTF-8 as it is; bytes PostgreSQL text
 * refuses (NUL) and bytes that are not valid UTF-8 as \xHH, a backslash as
 * \\ (so the escape reads back unambiguously). Only rejects pay for it.
 */
function raw(buf: Buffer, start: number, end: number): string {
  const stop = Math.min(end, start + MAX_RAW);
  const text = buf.toString('utf8', start, stop);
  if (!text.includes('\u0000') && !text.includes('\uFFFD') && !text.includes('\\')) return text;
  let out = '';
  for (let i = start; i < stop;) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const seq = len > 1 && i + len <= stop ? buf.toString('utf8', i, i + len) : null;
    if (b === 0) out += '\\x00';
    else if (b === 0x5c) out += '\\\\';
    else if (len === 1) out += String.fromCharCode(b);
    else if (seq !== null && !seq.includes('\uFFFD') && seq.length <= 2) {
      out += seq;
      i += len;
      continue;
    } else out += `\\x${b.toString(16).padStart(2, '0')}`;
    i++;
  }
  return out;
}

/** Unsigned decimal integer of 1..maxDigits digits, or -1. */
function parseUint(buf: Buffer, start: number, end: number, maxDigits: number): number {
  const len = end - start;
  if (len < 1 || len > maxDigits) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  return v;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/**
 * Largest mantissa for which mantissa and 10^k (k <= 22) are exact doubles: the fast path is then correctly rounded.
 */
const EXACT_MANTISSA = 2 ** 53;

/**
 * A finite decimal number, optionally signed, with optional fraction and
 * exponent (`1E+1`, `2.5e-05`), else NaN. The bytes are checked here (no
 * blanks, hex, `Infinity`). Conversion: when the digits fit in 2^53 and the
 * decimal exponent in ±22, mantissa × or ÷ 10^k is exact-then-rounded once,
 * i.e. correctly rounded (Clinger's fast path); anything else goes through
 * JavaScript's Number(), also correctly rounded.
 */
function parseDecimal(buf: Buffer, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) negative = buf[i++] === 0x2d;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let c = 0;
  while (i < end && (c = buf[i]!) >= ZERO && c <= NINE) {
    mantissa = mantissa * 10 + (c - ZERO);
    i++;
    digits++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end && (c = buf[i]!) >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      i++;
      digits++;
      scale++;
    }
  }
  if (digits === 0) return NaN;
  let exp = 0;
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) expNegative = buf[i++] === 0x2d;
    let expDigits = 0;
    while (i < end && (c = buf[i]!) >= ZERO && c <= NINE) {
      if (exp < 100_000) exp = exp * 10 + (c - ZERO);
      i++;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
    if (expNegative) exp = -exp;
  }
  if (i !== end) return NaN;
  const e10 = exp - scale;
  if (mantissa < EXACT_MANTISSA && e10 >= -22 && e10 <= 22) {
    const v = e10 >= 0 ? mantissa * POW10[e10]! : mantissa / POW10[-e10]!;
    return negative ? -v : v;
  }
  const v = Number(buf.toString('latin1', start, end));
  return Number.isFinite(v) ? v : NaN;
}
