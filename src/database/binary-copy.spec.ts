import {
  BinaryTupleReader,
  bytesField,
  float8,
  int4,
  int8,
  intArrayLiteral,
  nullField,
  textArrayLiteral,
  textField,
  timestamptz,
  tupleStart,
} from './binary-copy';

/** A whole binary COPY body (header, the tuples `write` encodes, trailer) as the server sends it. */
function copyBody(write: (b: Buffer, p: number) => number): Buffer {
  const b = Buffer.alloc(4096);
  let p = b.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  p = b.writeInt32BE(0, p); // flags
  p = b.writeInt32BE(4, p); // header extension: 4 bytes the reader must skip
  p = b.writeInt32BE(0x7fffffff, p);
  p = write(b, p);
  p = b.writeInt16BE(-1, p);
  return b.subarray(0, p);
}

describe('binary COPY fields', () => {
  it('reads back what the encoders write, tuple by tuple', () => {
    const t = Date.UTC(2024, 2, 31, 12) / 1000;
    const body = copyBody((b, p) => {
      p = tupleStart(b, p, 7);
      p = int4(b, p, -7);
      p = int8(b, p, 2 ** 40 + 3);
      p = int8(b, p, -5);
      p = float8(b, p, 0.1);
      p = timestamptz(b, p, t);
      p = textField(b, p, 'überlastet ✓ "\t\\');
      p = nullField(b, p);
      p = tupleStart(b, p, 3);
      p = timestamptz(b, p, 946_684_799.9995); // just before PostgreSQL's epoch: microseconds, cut to the ms
      p = bytesField(b, p, Buffer.from('csv'));
      return textField(b, p, null);
    });
    const r = new BinaryTupleReader(body);
    expect(r.next()).toBe(true);
    expect([r.int4(), r.int8(), r.int8(), r.float8(), r.epochSeconds(), r.text(), r.textOrNull()]).toEqual([
      -7,
      2 ** 40 + 3,
      -5,
      0.1,
      t,
      'überlastet ✓ "\t\\',
      null,
    ]);
    expect(r.next()).toBe(true);
    expect(r.date().toISOString()).toBe('1999-12-31T23:59:59.999Z');
    expect([r.text(), r.dateOrNull()]).toEqual(['csv', null]);
    expect(r.next()).toBe(false);
  });

  it('an empty result has no tuple, and a body that is not binary COPY is refused', () => {
    expect(new BinaryTupleReader(Buffer.alloc(0)).next()).toBe(false);
    expect(() => new BinaryTupleReader(Buffer.from('1\t2\n'.repeat(10)))).toThrow(/signature/);
  });
});

describe('literals for COPY queries (which take no bind parameters)', () => {
  it('writes integer arrays and refuses anything else', () => {
    expect(intArrayLiteral([1, 60, 1440])).toBe(`'{1,60,1440}'::int[]`);
    expect(intArrayLiteral([])).toBe(`'{}'::int[]`);
    expect(() => intArrayLiteral([1, 2.5])).toThrow(/not an integer/);
    expect(() => intArrayLiteral([Number.NaN])).toThrow(/not an integer/);
  });

  it('quotes text values', () => {
    expect(textArrayLiteral(['FILLED', "it's"])).toBe(`ARRAY['FILLED','it''s']::text[]`);
  });
});
