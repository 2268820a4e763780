import type { SenderBuffer } from '@questdb/nodejs-client';
import { CandleSource } from '../../common/enums';
import { Candle } from '../candle-store';
import { CandleValueError } from '../candle-store.errors';
import { IlpCandleEncoder } from './ilp-candle-encoder';
import { IlpProtocolVersion } from './ilp-protocol';
import { questdbClient } from './questdb-client';
import { SeriesRef } from '../../common/series';

/** The client's own buffer for a protocol version: the reference the encoder must match byte for byte. */
function clientBuffer(protocol: IlpProtocolVersion): SenderBuffer {
  const { SenderOptions, createBuffer } = questdbClient();
  return createBuffer(new SenderOptions(`http::addr=127.0.0.1:9000;protocol_version=${protocol};max_name_len=127;`));
}

/** One row through the client's own API: what candlekeep sent before IlpCandleEncoder. */
function writeCandleRow(buffer: SenderBuffer, table: string, series: SeriesRef, source: CandleSource, c: Candle): void {
  buffer
    .table(table)
    .symbol('asset', series.symbol)
    .symbol('source', source)
    .intColumn('interval_minutes', series.intervalMinutes)
    .floatColumn('open', c.open)
    .floatColumn('high', c.high)
    .floatColumn('low', c.low)
    .floatColumn('close', c.close);
  if (c.vwap !== null) buffer.floatColumn('vwap', c.vwap);
  buffer.floatColumn('volume', c.volume).intColumn('trades', c.trades);
  buffer.at(c.ts * 1_000_000, 'us');
}

/** A small seeded generator (mulberry32): the same varied rows on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTREMES = [
  0, -0, 1, 0.1, 1e-7, 5e-324, 2.2250738585072014e-308, 1e21, 1.7976931348623157e308, 123456789.123456, 42000.5,
  0.30000000000000004,
];

function candles(n: number, seed: number): Candle[] {
  const r = rng(seed);
  const pick = () => (r() < 0.3 ? EXTREMES[Math.floor(r() * EXTREMES.length)]! : r() * 10 ** Math.floor(r() * 12 - 4));
  return Array.from({ length: n }, (_, i) => ({
    ts: i === 0 ? 0 : 1_700_000_000 + i * 60 + Math.floor(r() * 1e6) * 60,
    open: pick(),
    high: pick(),
    low: pick(),
    close: pick(),
    vwap: r() < 0.2 ? null : pick(),
    volume: pick(),
    trades:
      i === 1 ? Number.MAX_SAFE_INTEGER : i === 2 ? -Number.MAX_SAFE_INTEGER : i === 3 ? -7 : Math.floor(r() * 1e6),
  }));
}

describe('IlpCandleEncoder: byte for byte what @questdb/nodejs-client writes', () => {
  const series: Array<[string, SeriesRef, CandleSource]> = [
    ['assetprice', { assetId: 1, symbol: 'BTC-USD-SPOT', intervalMinutes: 60 }, 'csv'],
    ['contract_ab12', { assetId: 2, symbol: 'A B,C=D\\E', intervalMinutes: 1 }, 'api'],
    ['assetprice', { assetId: 3, symbol: 'ÄÖ-€-SPOT', intervalMinutes: 21600 }, 'trades'],
  ];

  it.each(['1', '2', '3'] as const)(
    'protocol %s, varied rows (extreme doubles, null vwap, escaped and non-ASCII symbols, ts 0)',
    (protocol) => {
      for (const [table, s, source] of series) {
        const rows = candles(500, s.assetId);
        const reference = clientBuffer(protocol);
        const encoder = new IlpCandleEncoder(table, s, source, protocol);
        for (const c of rows) {
          writeCandleRow(reference, table, s, source, c);
          encoder.add(c);
        }
        expect(encoder.rows).toBe(rows.length);
        const mine = encoder.take()!;
        const theirs = reference.toBufferView();
        expect(mine.length).toBe(theirs.length);
        expect(mine.equals(theirs)).toBe(true);
      }
    },
  );

  it('grows past its first buffer and starts over after take()', () => {
    const s: SeriesRef = { assetId: 1, symbol: 'BTC-USD-SPOT', intervalMinutes: 60 };
    const encoder = new IlpCandleEncoder('assetprice', s, 'csv', '2');
    const reference = clientBuffer('2');
    for (const c of candles(20_000, 7)) {
      encoder.add(c);
      writeCandleRow(reference, 'assetprice', s, 'csv', c);
    }
    expect(encoder.take()!.equals(reference.toBufferView())).toBe(true);
    expect(encoder.rows).toBe(0);
    expect(encoder.take()).toBeNull();
  });

  it('a taken batch stays intact while the next one is encoded (two buffers, swapped)', () => {
    const s: SeriesRef = { assetId: 1, symbol: 'BTC-USD-SPOT', intervalMinutes: 60 };
    const encoder = new IlpCandleEncoder('assetprice', s, 'csv', '2');
    const rows = candles(3_000, 11);
    const batches: Array<{ taken: Buffer; copy: Buffer; expected: Buffer }> = [];
    for (let b = 0; b < 3; b++) {
      const reference = clientBuffer('2');
      for (const c of rows.slice(b * 1000, (b + 1) * 1000)) {
        encoder.add(c);
        writeCandleRow(reference, 'assetprice', s, 'csv', c);
      }
      const taken = encoder.take()!;
      batches.push({ taken, copy: Buffer.from(taken), expected: Buffer.from(reference.toBufferView()) });
      // The batch before this one is the buffer now encoded into: only the latest is promised intact.
      expect(taken.equals(batches[b]!.expected)).toBe(true);
      if (b > 0) expect(batches[b - 1]!.copy.equals(batches[b - 1]!.expected)).toBe(true);
    }
    // Encoding into the third batch's spare overwrote the first batch's view: why the writer waits for each request.
    expect(batches[0]!.taken.equals(batches[0]!.expected)).toBe(false);
  });

  it('refuses NaN, ±∞, fractional trades and fractional or negative ts instead of sending them', () => {
    const s: SeriesRef = { assetId: 1, symbol: 'BTC-USD-SPOT', intervalMinutes: 60 };
    const ok: Candle = { ts: 1_700_002_800, open: 1, high: 1, low: 1, close: 1, vwap: null, volume: 1, trades: 1 };
    for (const bad of [
      { open: NaN },
      { high: Infinity },
      { vwap: -Infinity },
      { trades: 1.5 },
      { ts: 1.5 },
      { ts: -60 },
    ]) {
      const encoder = new IlpCandleEncoder('assetprice', s, 'csv', '1');
      expect(() => encoder.add({ ...ok, ...bad })).toThrow(CandleValueError);
    }
  });
});
