import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { InvariantError } from '../../common/errors';
import { Candle } from '../candle-store';
import { IlpCandleEncoder } from './ilp-candle-encoder';
import { IlpChannel } from './ilp-channel';
import { QuestDbBulkWriter } from './questdb-bulk-writer';
import { QuestDbSchemaMismatchError, QuestDbUnavailableError, QuestDbWriteRejectedError } from './questdb.errors';
import { CandleValueError } from '../candle-store.errors';
import { SeriesRef } from '../../common/series';

interface Recorded {
  method: string;
  url: string;
  body: Buffer;
  headers: IncomingMessage['headers'];
}

type Answer = { status: number; body?: string };

/** A stand-in for QuestDB's HTTP port: records every request, answers /settings and /write as told. */
class IlpEndpoint {
  readonly requests: Recorded[] = [];
  answers: Answer[] = [];
  /** Answers a /write with this as soon as its first bytes arrive (QuestDB refusing a line mid-request). */
  early: Answer | undefined;
  /** Requests whose body never ended (cut off by the client). */
  cutOff = 0;
  settings: object = { config: { 'line.proto.support.versions': [1, 2] } };
  private server!: Server;

  async start(): Promise<number> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      let ended = false;
      req.on('data', (c: Buffer) => {
        if (this.early && chunks.length === 0) {
          const { status, body } = this.early;
          res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(body);
        }
        chunks.push(c);
      });
      req.on('close', () => {
        if (!ended) this.cutOff++;
      });
      req.on('end', () => {
        ended = true;
        this.requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          body: Buffer.concat(chunks),
          headers: req.headers,
        });
        if (res.headersSent) return;
        if (req.url === '/settings') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.settings));
          return;
        }
        const answer = this.answers.shift() ?? { status: 204 };
        if (answer.body === undefined) res.writeHead(answer.status).end();
        else res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return (this.server.address() as AddressInfo).port;
  }

  writes(): Recorded[] {
    return this.requests.filter((r) => r.url.startsWith('/write'));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

/** /settings bodies recorded from real QuestDB servers (see PROVENANCE.md there). */
const QUESTDB_FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'questdb');

const SERIES: SeriesRef = { assetId: 7, symbol: 'BTC-USD-SPOT', intervalMinutes: 60 };
const T0 = 1_700_002_800; // 2023-11-14T23:00:00Z, aligned to 60 minutes

function candle(i: number, over: Partial<Candle> = {}): Candle {
  return {
    ts: T0 + i * 3600,
    open: 42000.5,
    high: 42100,
    low: 41900.25,
    close: 42050,
    vwap: 42010.125,
    volume: 12.345,
    trades: 321,
    ...over,
  };
}

const quiet = () => undefined;

describe('QuestDbBulkWriter over ILP/HTTP (local endpoint)', () => {
  let endpoint: IlpEndpoint;
  let port: number;
  let visibleWaits: number;

  beforeEach(async () => {
    endpoint = new IlpEndpoint();
    port = await endpoint.start();
    visibleWaits = 0;
  });
  afterEach(() => endpoint.stop());

  async function writer(
    config: string,
    batchRows = 1000,
    sink: 'requests' | 'stream' = 'requests',
  ): Promise<QuestDbBulkWriter> {
    const channel = await IlpChannel.open(config, quiet);
    return new QuestDbBulkWriter(
      sink === 'stream' ? channel.stream() : channel.requests(),
      new IlpCandleEncoder('assetprice', SERIES, 'csv', channel.protocolVersion),
      SERIES,
      batchRows,
      async (acknowledged) => {
        if (acknowledged > 0) visibleWaits++;
      },
    );
  }

  it(
    'protocol 1: sends text lines — symbols, i-suffixed integers, ' +
      'shortest round-trip doubles, designated ts in ns',
    async () => {
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`);
      await w.write(candle(0));
      await w.write(
        candle(1, { vwap: null, open: 0.1, high: 1e21, low: 1e-7, close: 123456789.123456, volume: 0, trades: 0 }),
      );
      expect(endpoint.writes()).toHaveLength(0); // buffered until the batch fills or commit
      expect(await w.commit()).toBe(2);

      const writes = endpoint.writes();
      expect(writes).toHaveLength(1);
      expect(writes[0]!.method).toBe('POST');
      expect(writes[0]!.url).toBe('/write?precision=n');
      expect(writes[0]!.body.toString('utf8')).toBe(
        'assetprice,asset=BTC-USD-SPOT,source=csv interval_minutes=60i,' +
          'open=42000.5,high=42100,low=41900.25,close=42050,' +
          'vwap=42010.125,volume=12.345,trades=321i 1700002800000000000\n' +
          'assetprice,asset=BTC-USD-SPOT,source=csv interval_minutes=60i,' +
          'open=0.1,high=1e+21,low=1e-7,close=123456789.123456,' +
          'volume=0,trades=0i 1700006400000000000\n',
      );
      expect(endpoint.requests.some((r) => r.url === '/settings')).toBe(false); // version given: nothing negotiated
      expect(visibleWaits).toBe(1);
    },
  );

  it('escapes spaces, commas and equals signs in symbol values', async () => {
    const channel = await IlpChannel.open(`http::addr=127.0.0.1:${port};protocol_version=1;`, quiet);
    const w = new QuestDbBulkWriter(
      channel.requests(),
      new IlpCandleEncoder('assetprice', { ...SERIES, symbol: 'A B,C=D' }, 'api', channel.protocolVersion),
      { ...SERIES, symbol: 'A B,C=D' },
      10,
      async () => undefined,
    );
    await w.write(candle(0));
    await w.commit();
    expect(endpoint.writes()[0]!.body.toString('utf8')).toMatch(
      /^assetprice,asset=A\\ B\\,C\\=D,source=api interval_minutes=60i,/,
    );
  });

  it.each([
    ['8.1.4', '1'],
    ['9.3.4', '3'],
  ])(
    'negotiates with the /settings body recorded from QuestDB %s: ' +
      'protocol %s (QuestDB 8 lists no versions: 1, no crash)',
    async (version, protocol) => {
      endpoint.settings = JSON.parse(
        readFileSync(join(QUESTDB_FIXTURES, `settings_${version}.json`), 'utf8'),
      ) as object;
      const channel = await IlpChannel.open(`http::addr=127.0.0.1:${port};`, quiet);
      expect(channel.protocolVersion).toBe(protocol);
      const w = await writer(`http::addr=127.0.0.1:${port};`);
      await w.write(candle(0));
      expect(await w.commit()).toBe(1);
      // Protocol 1 sends doubles as text, 2 and 3 as binary.
      expect(/,open=42000\.5,/.test(endpoint.writes()[0]!.body.toString('latin1'))).toBe(protocol === '1');
    },
  );

  it(
    'protocol 2 (negotiated through GET /settings): ' +
      'binary IEEE-754 doubles and the designated ts in µs with a t suffix',
    async () => {
      const w = await writer(`http::addr=127.0.0.1:${port};`);
      await w.write(candle(0, { open: 0.1, low: 0.1 })); // a valid candle whose open is not exact in binary
      await w.commit();

      expect(endpoint.requests[0]).toMatchObject({ method: 'GET', url: '/settings' });
      const body = endpoint.writes()[0]!.body;
      const text = body.toString('latin1');
      expect(text.startsWith('assetprice,asset=BTC-USD-SPOT,source=csv interval_minutes=60i,open=')).toBe(true);
      // A binary double is '=' + type 16 + 8 bytes little-endian after the column's own '='.
      const at = body.indexOf('open=') + 'open='.length;
      expect(body[at]).toBe(0x3d);
      expect(body[at + 1]).toBe(16);
      expect(body.readDoubleLE(at + 2)).toBe(0.1);
      const vwapAt = body.indexOf('vwap=') + 'vwap='.length;
      expect(body.readDoubleLE(vwapAt + 2)).toBe(42010.125);
      expect(text.endsWith(',trades=321i 1700002800000000t\n')).toBe(true);
    },
  );

  it(
    'flushes every batchRows rows as one request each, in order, ' +
      'one in flight while the next is encoded, and counts only acknowledged rows',
    async () => {
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`, 2);
      for (let i = 0; i < 5; i++) await w.write(candle(i));
      // The second batch may still be in flight (never more than one): the first is acknowledged.
      expect(endpoint.writes().length).toBeGreaterThanOrEqual(1);
      expect([2, 4]).toContain(w.acknowledged);
      expect(visibleWaits).toBe(0); // visibility is awaited once, at commit
      expect(await w.commit()).toBe(5);
      const lines = endpoint.writes().map((r) => r.body.toString().trim().split('\n').length);
      expect(lines).toEqual([2, 2, 1]);
      const firstTs = endpoint.writes().map((r) => r.body.toString().split(' ').pop()?.trim());
      expect(firstTs).toEqual(['1700006400000000000', '1700013600000000000', '1700017200000000000']);
      expect(visibleWaits).toBe(1);
    },
  );

  it('a 400 fails the writer with the diagnosed error, is not retried, and reports nothing ingested', async () => {
    endpoint.answers = [
      { status: 400, body: '{"code":"invalid","message":"cast error from protocol type: FLOAT to column type: LONG"}' },
    ];
    const channel = await IlpChannel.open(`http::addr=127.0.0.1:${port};protocol_version=1;`, quiet);
    const seen: unknown[] = [];
    const w = new QuestDbBulkWriter(
      channel.requests(),
      new IlpCandleEncoder('assetprice', SERIES, 'csv', channel.protocolVersion),
      SERIES,
      1000,
      async () => undefined,
      async (e) => {
        seen.push(e);
        return new QuestDbSchemaMismatchError('table assetprice differs', { cause: e });
      },
    );
    await w.write(candle(0));
    const error = await w.commit().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(QuestDbWriteRejectedError);
    expect((seen[0] as QuestDbWriteRejectedError).status).toBe(400);
    expect(error).toBeInstanceOf(QuestDbSchemaMismatchError);
    expect(w.acknowledged).toBe(0);
    await expect(w.write(candle(1))).rejects.toBe(error);
    expect(endpoint.writes()).toHaveLength(1); // a 4xx is not retried
  });

  it('other 4xx answers are typed rejections carrying the status', async () => {
    endpoint.answers = [{ status: 401, body: '{"code":"unauthorized","message":"not authorized"}' }];
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`);
    await w.write(candle(0));
    const error = await w.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuestDbWriteRejectedError);
    expect((error as QuestDbWriteRejectedError).status).toBe(401);
    expect((error as Error).message).toContain('credentials in QUESTDB_ILP');
    expect(endpoint.writes()).toHaveLength(1);
  });

  it('a 500 is retried with the same bytes and the write succeeds once acknowledged', async () => {
    endpoint.answers = [{ status: 500, body: '{"message":"busy"}' }, { status: 204 }];
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`);
    await w.write(candle(0));
    expect(await w.commit()).toBe(1);
    const writes = endpoint.writes();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.body.equals(writes[0]!.body)).toBe(true);
  });

  it('a server that keeps answering 503 fails the write as unavailable after retry_timeout', async () => {
    endpoint.answers = Array.from({ length: 1000 }, () => ({ status: 503, body: '{"message":"unavailable"}' }));
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;retry_timeout=300;`);
    await w.write(candle(0));
    const error = await w.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuestDbUnavailableError);
    expect((error as QuestDbUnavailableError).status).toBe(503);
    expect((error as Error).message).toContain('retry_timeout=300 ms');
    const writes = endpoint.writes();
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.every((r) => r.body.equals(writes[0]!.body))).toBe(true);
    expect(w.acknowledged).toBe(0);
  });

  it('connection refused is a typed unavailability naming the endpoint and ECONNREFUSED', async () => {
    await endpoint.stop();
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;retry_timeout=200;`);
    await w.write(candle(0));
    const error = await w.commit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuestDbUnavailableError);
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}: ECONNREFUSED`);
    expect((error as Error).message).toMatch(/\d+ attempts over \d+ ms/);
    endpoint = new IlpEndpoint();
    await endpoint.start();
  });

  it('negotiating the protocol version with an unreachable server is a typed unavailability', async () => {
    await endpoint.stop();
    const error = await IlpChannel.open(`http::addr=127.0.0.1:${port};retry_timeout=100;`, quiet).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuestDbUnavailableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    endpoint = new IlpEndpoint();
    await endpoint.start();
  });

  it('abort drops unsent rows; a closed writer refuses further use', async () => {
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`);
    await w.write(candle(0));
    await w.abort();
    expect(endpoint.writes()).toHaveLength(0);
    await expect(w.commit()).rejects.toBeInstanceOf(InvariantError);
    await expect(w.write(candle(1))).rejects.toBeInstanceOf(InvariantError);
  });

  it.each([
    ['a NaN price', { close: Number.NaN }],
    ['an infinite volume', { volume: Number.POSITIVE_INFINITY }],
    ['a misaligned ts', { ts: T0 + 60 }],
    ['a fractional ts', { ts: T0 + 0.5 }],
    ['negative trades', { trades: -1 }],
  ])('refuses %s with CandleValueError before anything is sent', async (_what, over) => {
    const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`);
    await expect(w.write(candle(0, over))).rejects.toBeInstanceOf(CandleValueError);
    await w.write(candle(1));
    expect(await w.commit()).toBe(1);
    expect(endpoint.writes()[0]!.body.toString().trim().split('\n')).toHaveLength(1);
  });

  describe('a streamed bulk load: one request, one transaction', () => {
    it('sends every chunk in one request, in order, acknowledged only when it ends', async () => {
      const w = await writer(
        `http::addr=127.0.0.1:${port};protocol_version=1;username=ck;password=s3cret;`,
        2,
        'stream',
      );
      for (let i = 0; i < 5; i++) await w.write(candle(i));
      expect(w.acknowledged).toBe(0); // nothing is committed before the request ends
      expect(endpoint.writes()).toHaveLength(0);
      expect(await w.commit()).toBe(5);
      const writes = endpoint.writes();
      expect(writes).toHaveLength(1);
      expect(writes[0]!.url).toBe('/write?precision=n');
      expect(writes[0]!.headers.authorization).toBe(`Basic ${Buffer.from('ck:s3cret').toString('base64')}`);
      const ts = writes[0]!.body
        .toString()
        .trim()
        .split('\n')
        .map((line) => line.split(' ').pop());
      expect(ts).toEqual([0, 1, 2, 3, 4].map((i) => `${T0 + i * 3600}000000000`));
      expect(visibleWaits).toBe(1);
    });

    it('sends a bearer token when QUESTDB_ILP has one', async () => {
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;token=t0k3n;`, 1000, 'stream');
      await w.write(candle(0));
      await w.commit();
      expect(endpoint.writes()[0]!.headers.authorization).toBe('Bearer t0k3n');
    });

    it('abort cuts the request off: the server never sees its end', async () => {
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`, 2, 'stream');
      for (let i = 0; i < 5; i++) await w.write(candle(i));
      await w.abort();
      for (let polls = 0; endpoint.cutOff === 0 && polls < 200; polls++) await new Promise((r) => setImmediate(r));
      expect(endpoint.cutOff).toBe(1);
      expect(endpoint.writes()).toHaveLength(0);
      await expect(w.commit()).rejects.toBeInstanceOf(InvariantError);
    });

    it("a refusal answered mid-request fails the writer with QuestDB's message, diagnosed, not retried", async () => {
      endpoint.early = {
        status: 400,
        body: '{"code":"invalid","message":"cast error from protocol type: FLOAT to column type: LONG"}',
      };
      const channel = await IlpChannel.open(`http::addr=127.0.0.1:${port};protocol_version=1;`, quiet);
      const seen: unknown[] = [];
      const w = new QuestDbBulkWriter(
        channel.stream(),
        new IlpCandleEncoder('assetprice', SERIES, 'csv', channel.protocolVersion),
        SERIES,
        1,
        async () => undefined,
        async (e) => {
          seen.push(e);
          return e;
        },
      );
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) error = await w.write(candle(i))?.catch((e: unknown) => e);
      error ??= await w.commit().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuestDbWriteRejectedError);
      expect((error as QuestDbWriteRejectedError).status).toBe(400);
      expect((error as Error).message).toContain('cast error from protocol type: FLOAT to column type: LONG');
      expect(seen).toEqual([error]);
      expect(w.acknowledged).toBe(0);
      await expect(w.commit()).rejects.toBe(error);
      await channel.close();
    });

    it('a 401 at the end is a credentials error', async () => {
      endpoint.answers = [{ status: 401, body: '{"message":"not authorized"}' }];
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`, 1000, 'stream');
      await w.write(candle(0));
      const error = await w.commit().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuestDbWriteRejectedError);
      expect((error as Error).message).toContain('credentials in QUESTDB_ILP');
    });

    it('a server that is gone is a typed unavailability saying nothing was kept', async () => {
      await endpoint.stop();
      const w = await writer(`http::addr=127.0.0.1:${port};protocol_version=1;`, 1, 'stream');
      const error = (await w.write(candle(0))?.catch((e: unknown) => e)) ?? (await w.commit().catch((e: unknown) => e));
      expect(error).toBeInstanceOf(QuestDbUnavailableError);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).toContain('nothing of it was kept');
      endpoint = new IlpEndpoint();
      await endpoint.start();
    });
  });
});
