import { OhlcvtParser, ParseBatch } from './ohlcvt-parser';

const H = 3600;
const T0 = 1_700_000_000 - (1_700_000_000 % H); // an hour boundary
const NOW = T0 + 1000 * H;

function parse(text: string | Buffer, opts: { chunk?: number; interval?: number; now?: number } = {}) {
  const parser = new OhlcvtParser({ intervalMinutes: opts.interval ?? 60, nowSeconds: opts.now ?? NOW });
  const out: ParseBatch = { candles: [], rejects: [] };
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const size = opts.chunk ?? buf.length;
  for (let i = 0; i < buf.length; i += size) parser.push(buf.subarray(i, i + size), out);
  parser.end(out);
  return { parser, ...out };
}

const row = (h: number, rest = '10.0,12.5,9.5,11,1.25,7') => `${T0 + h * H},${rest}`;

describe('OhlcvtParser', () => {
  it('parses rows with LF or CRLF, with or without a trailing newline, in any chunking', () => {
    const lines = [row(0), row(1, '11,11,11,11,1E+1,1'), row(3, '2.5e-05,3e-05,1.9E-05,2.4e-05,371171350.0287898,58')];
    for (const eol of ['\n', '\r\n']) {
      for (const trailing of ['', eol]) {
        for (const chunk of [1, 3, 7, 1 << 16]) {
          const { candles, rejects, parser } = parse(lines.join(eol) + trailing, { chunk });
          expect(rejects).toEqual([]);
          expect(candles.map((c) => c.ts)).toEqual([T0, T0 + H, T0 + 3 * H]);
          expect(parser.rowsRead).toBe(3);
        }
      }
    }
    const { candles } = parse(lines.join('\n'));
    expect(candles[0]).toEqual({
      ts: T0,
      open: 10,
      high: 12.5,
      low: 9.5,
      close: 11,
      vwap: null,
      volume: 1.25,
      trades: 7,
    });
    expect(candles[1]!.volume).toBe(10);
    expect(candles[2]!.low).toBe(1.9e-5);
  });

  it('rejects each kind of bad row with its line, reason and raw text, and keeps the good ones', () => {
    const text = [
      row(0), // 1 ok
      `${T0 + H},10,12,9,11,1`, // 2 six fields
      `${T0 + H},10,12,9,11,1,2,3`, // 3 eight fields
      `${T0 + H}.5,10,12,9,11,1,2`, // 4 non-integer ts
      `${T0 + H + 60},10,12,9,11,1,2`, // 5 unaligned
      `${T0 + H},10,abc,9,11,1,2`, // 6 not a number
      `${T0 + H},10,Infinity,9,11,1,2`, // 7 not finite
      `${T0 + H},10,12,9,13,1,2`, // 8 close > high
      `${T0 + H},8,12,9,11,1,2`, // 9 open < low
      `${T0 + H},10,12,9,11,-1,2`, // 10 negative volume
      `${T0 + H},10,12,9,11,1,2.5`, // 11 fractional trades
      `${T0 + H},10,12,9,11,1,-2`, // 12 negative trades
      row(0), // 13 duplicate ts (not increasing)
      '', // 14 empty line
      row(2), // 15 ok
      `${T0 + 5 * H},10,12, 9,11,1,2`, // 16 blank inside a number
    ].join('\n');
    const { candles, rejects, parser } = parse(text + '\n', { chunk: 5 });
    expect(candles.map((c) => c.ts)).toEqual([T0, T0 + 2 * H]);
    expect(rejects.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [2, 'field_count'],
      [3, 'field_count'],
      [4, 'bad_timestamp'],
      [5, 'unaligned_timestamp'],
      [6, 'bad_number'],
      [7, 'bad_number'],
      [8, 'ohlc_inconsistent'],
      [9, 'ohlc_inconsistent'],
      [10, 'negative_volume'],
      [11, 'bad_trades'],
      [12, 'bad_trades'],
      [13, 'not_increasing'],
      [14, 'empty_line'],
      [16, 'bad_number'],
    ]);
    expect(rejects[0]).toEqual({
      line: 2,
      reason: 'field_count: expected 7 fields, got 6',
      raw: `${T0 + H},10,12,9,11,1`,
    });
    expect(parser.rowsRead).toBe(16);
    expect(parser.rowsRead).toBe(parser.rowsAccepted + parser.rowsRejected);
  });

  it('names a truncated last line and an empty input yields nothing', () => {
    const { candles, rejects } = parse(`${row(0)}\n${row(1)}\n${T0 + 2 * H},10,12,9`);
    expect(candles).toHaveLength(2);
    expect(rejects).toEqual([
      { line: 3, reason: 'truncated: last line has no line end and 4 of 7 fields', raw: `${T0 + 2 * H},10,12,9` },
    ]);
    const empty = parse('');
    expect(empty.parser.rowsRead).toBe(0);
    expect(empty.candles).toEqual([]);
    expect(empty.parser.coverage()).toEqual([]);
  });

  it(
    'skips a first line that is a header (not a row), ' +
      'and rejects rows whose period has not ended at now (the open candle)',
    () => {
      const { candles, rejects, parser } = parse(`time,open,high,low,close,volume,trades\n${row(0)}\n${row(1)}\n`, {
        now: T0 + H + 1,
      });
      expect(candles.map((c) => c.ts)).toEqual([T0]);
      expect(rejects.map((r) => r.reason.split(':')[0])).toEqual(['open_candle']);
      expect([parser.header, parser.rowsRead]).toEqual(['time,open,high,low,close,volume,trades', 2]);
      // Only a first line of names is a header: later, or with too few fields, it is a bad row.
      expect(parse(`not,a,row\n${row(0)}\n`).rejects.map((r) => r.line)).toEqual([1]);
      expect(parse(`${row(0)}\ntime,open,high,low,close,volume,trades\n`).rejects.map((r) => r.line)).toEqual([2]);
    },
  );

  it('reports coverage: the accepted span, broken where a rejected row hides an unknown slot', () => {
    expect(parse([row(0), row(1), row(4)].join('\n')).parser.coverage()).toEqual([{ from: T0, to: T0 + 4 * H }]);
    // A known-timestamp reject removes its slot; an unknown one breaks the span between its neighbours.
    const known = parse([row(0), `${T0 + H},10,12,9,13,1,2`, row(2)].join('\n')).parser.coverage();
    expect(known).toEqual([
      { from: T0, to: T0 },
      { from: T0 + 2 * H, to: T0 + 2 * H },
    ]);
    const unknown = parse([row(0), row(1), 'garbage', row(5), row(6)].join('\n')).parser.coverage();
    expect(unknown).toEqual([
      { from: T0, to: T0 + H },
      { from: T0 + 5 * H, to: T0 + 6 * H },
    ]);
    // An exact duplicate of the previous row changes nothing.
    expect(parse([row(0), row(1), row(1), row(2)].join('\n')).parser.coverage()).toEqual([
      { from: T0, to: T0 + 2 * H },
    ]);
  });

  it('converts every decimal exactly as Number() does (fast path and fallback)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const samples = [
      '0',
      '0.0',
      '1E+1',
      '1e-7',
      '2.5E-05',
      '371171350.0287898',
      '0.00000001',
      '123456789012345678',
      '9007199254740993',
      '1.7976931348623157e308',
      '4.9e-324',
      '00012.50',
    ];
    for (let i = 0; i < 5000; i++) {
      const digits = String(Math.floor(rnd() * 10 ** (1 + Math.floor(rnd() * 17))));
      const point = Math.floor(rnd() * (digits.length + 1));
      const exp = rnd() < 0.2 ? `e${Math.floor(rnd() * 60) - 30}` : '';
      samples.push(`${digits.slice(0, point) || '0'}.${digits.slice(point) || '0'}${exp}`);
    }
    // Prices must be positive (a zero stands in the volume only); every sample is read as a volume and, when positive,
    // a price.
    const price = (v: string) => (Number(v) > 0 ? v : '1');
    const rows = samples
      .map((v, i) => `${T0 + i * H},${price(v)},${price(v)},${price(v)},${price(v)},${v},1`)
      .join('\n');
    const { candles, rejects } = parse(rows, { now: T0 + 10_000 * H });
    expect(rejects).toEqual([]);
    candles.forEach((c, i) =>
      expect([samples[i], c.open, c.volume]).toEqual([samples[i], Number(price(samples[i]!)), Number(samples[i])]),
    );
  });

  it('rejects an over-long line without buffering it and carries on', () => {
    const long = 'x'.repeat(100_000);
    const { candles, rejects } = parse(`${row(0)}\n${long}\n${row(1)}\n`, { chunk: 1000 });
    expect(candles).toHaveLength(2);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.reason).toMatch(/^line_too_long/);
    expect(rejects[0]!.raw.length).toBeLessThanOrEqual(512);
  });

  it(
    'a timestamp claimed twice with other values is ambiguous: both rows rejected, ' +
      'the slot not covered (a third claim too)',
    () => {
      const { candles, rejects, parser } = parse(
        [row(0), row(1), row(1, '20,20,20,20,1,1'), row(1, '30,30,30,30,1,1'), row(2)].join('\n'),
      );
      expect(candles.map((c) => c.ts)).toEqual([T0, T0 + 2 * H]);
      expect(rejects.map((r) => [r.line, r.reason])).toEqual([
        [2, `duplicate_timestamp: ts ${T0 + H} appears again on line 3 with other values`],
        [3, `duplicate_timestamp: ts ${T0 + H} appears on line 2 with other values`],
        [4, `duplicate_timestamp: ts ${T0 + H} is ambiguous (rows with other values claim it)`],
      ]);
      expect(parser.rowsRead).toBe(parser.rowsAccepted + parser.rowsRejected);
      expect(parser.coverage()).toEqual([
        { from: T0, to: T0 },
        { from: T0 + 2 * H, to: T0 + 2 * H },
      ]);
      // The same values again are a harmless repeat: one reject, the slot stays covered.
      const repeat = parse([row(0), row(1), row(1), row(2)].join('\n'));
      expect(repeat.candles.map((c) => c.ts)).toEqual([T0, T0 + H, T0 + 2 * H]);
      expect(repeat.rejects.map((r) => r.line)).toEqual([3]);
      expect(repeat.parser.coverage()).toEqual([{ from: T0, to: T0 + 2 * H }]);
      // The last row taken back: the file's last accepted row is the one before.
      const last = parse([row(0), row(1), row(1, '20,20,20,20,1,1')].join('\n'));
      expect([last.parser.rowsAccepted, last.parser.lastAcceptedTs]).toEqual([1, T0]);
    },
  );

  it('rejects non-positive prices, as every source does', () => {
    const { candles, rejects } = parse([row(0, '0,0,0,0,0,0'), row(1, '-1,12,-2,11,1,7'), row(2)].join('\n'));
    expect(candles.map((c) => c.ts)).toEqual([T0 + 2 * H]);
    expect(rejects.map((r) => r.reason)).toEqual([
      'non_positive_price: prices must be > 0',
      'non_positive_price: prices must be > 0',
    ]);
  });

  it(
    'keeps the raw text of a rejected line storable: NUL and invalid UTF-8 as \\xHH, a backslash doubled, ' +
      'valid UTF-8 as it is',
    () => {
      const bad = Buffer.concat([
        Buffer.from(`${T0 + H},1`),
        Buffer.from([0x00, 0xff, 0xc3]),
        Buffer.from(',ü\\€,x\n'),
      ]);
      const { rejects } = parse(Buffer.concat([Buffer.from(row(0) + '\n'), bad, Buffer.from(row(2) + '\n')]));
      expect(rejects).toHaveLength(1);
      expect(rejects[0]!.raw).toBe(`${T0 + H},1\\x00\\xff\\xc3,ü\\\\€,x`);
      expect(rejects[0]!.raw).not.toContain('\u0000');
    },
  );
});
