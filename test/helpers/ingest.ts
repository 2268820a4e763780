import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CliResult, runCli } from './cli';
import { KRAKEN_CSV_FIXTURES } from './fixtures';
import { createTestDatabase, TestDatabase } from './test-database';
import type { IngestResult } from '../../src/ingestion/ingest.service';

/** The Kraken archive samples (test/fixtures/kraken/csv, see its PROVENANCE.md). */
export const FIXTURES = KRAKEN_CSV_FIXTURES;

/** An ISO time as epoch seconds. */
export const t = (iso: string) => Date.parse(iso) / 1000;

/**
 * A generated 1-minute OHLCVT file of `rows` valid rows from `from` on (written in 20,000-row pieces): big
 * enough to be caught in the middle of its load. `trades` gives row i's trade count (0 is a no-trade candle).
 */
export async function writeMinuteFile(
  path: string,
  rows: number,
  from: number,
  trades: (i: number) => number,
): Promise<void> {
  const out = createWriteStream(path);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const p = 100 + (i % 100) / 10;
    lines.push(`${from + i * 60},${p},${p + 1},${p - 1},${p + 0.5},${(i % 7) + 0.25},${trades(i)}`);
    if (lines.length === 20_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines.length = 0;
    }
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Writes a real archive member split into pieces [from, to), each in its own folder (as from different quarterly ZIPs).
 */
export function writePieces(dir: string, member: string, pieces: Array<[from: number, to: number]>): void {
  const rows = readFileSync(join(FIXTURES, member), 'utf8').trim().split('\n');
  const name = member.split('/').pop()!;
  pieces.forEach(([from, to], i) => {
    const piece = rows.filter((r) => {
      const ts = Number(r.slice(0, r.indexOf(',')));
      return ts >= from && ts < to;
    });
    mkdirSync(join(dir, `piece${i}`), { recursive: true });
    writeFileSync(join(dir, `piece${i}`, name), piece.join('\n') + '\n');
  });
}

/** The real Kraken samples (PROVENANCE.md): rows and first/last open times are ground truth. */
export const SAMPLES = [
  { file: 'XBTUSD_1440.csv', symbol: 'BTC-USD-SPOT', interval: 1440, rows: 4182, first: 1381017600, last: 1743379200 },
  { file: 'XBTUSD_720.csv', symbol: 'BTC-USD-SPOT', interval: 720, rows: 8294, first: 1381060800, last: 1743422400 },
  { file: 'XBTCAD_1440.csv', symbol: 'BTC-CAD-SPOT', interval: 1440, rows: 3509, first: 1435536000, last: 1743379200 },
  { file: 'XBTCAD_720.csv', symbol: 'BTC-CAD-SPOT', interval: 720, rows: 6937, first: 1435536000, last: 1743422400 },
  {
    file: 'aironav-bitcoin/XBTUSD_60.csv',
    symbol: 'BTC-USD-SPOT',
    interval: 60,
    rows: 3000,
    first: 1381093200,
    last: 1398726000,
  },
  {
    file: 'aironav-bitcoin/ETHUSD_60.csv',
    symbol: 'ETH-USD-SPOT',
    interval: 60,
    rows: 3000,
    first: 1438956000,
    last: 1461348000,
  },
  {
    file: 'aironav-bitcoin/STORJUSD_60.csv',
    symbol: 'STORJ-USD-SPOT',
    interval: 60,
    rows: 1508,
    first: 1594818000,
    last: 1601506800,
  },
  {
    file: 'avkhimen-crypto_trader/ETHUSD_60.csv',
    symbol: 'ETH-USD-SPOT',
    interval: 60,
    rows: 3000,
    first: 1669507200,
    last: 1680303600,
  },
  {
    file: 'avkhimen-crypto_trader/XBTUSD_60.csv',
    symbol: 'BTC-USD-SPOT',
    interval: 60,
    rows: 3000,
    first: 1662285600,
    last: 1673082000,
  },
] as const;

/** The `ingest --json` object. */
export type IngestOutput = IngestResult;

export async function ingest(
  url: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ run: CliResult; out: IngestOutput }> {
  const run = await runCli(['ingest', ...args, '--no-api', '--json'], { DATABASE_URL: url, ...env });
  if (run.code !== 0 && run.code !== 1) throw new Error(`ingest exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return { run, out: run.json<IngestOutput>() };
}

/** Fresh migrated databases, each with a Db for assertions; dropAll() (in afterAll) closes and drops them all. */
export class IngestDatabases {
  private readonly databases: TestDatabase[] = [];
  private readonly connections: Db[] = [];

  async fresh(): Promise<{ url: string; db: Db }> {
    const database = await createTestDatabase();
    this.databases.push(database);
    const db = await Db.connect(database.url);
    this.connections.push(db);
    return { url: database.url, db };
  }

  async dropAll(): Promise<void> {
    for (const c of this.connections) await c.close();
    for (const d of this.databases) await d.drop();
  }
}

/** Small read-only queries for assertions. */
export class Db {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<Db> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new Db(client);
  }

  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  /** Stored candles of a series in [from, to] (epoch seconds). */
  async candles(symbol: string, interval: number, from = 0, to = 4_000_000_000): Promise<number> {
    const [r] = await this.rows<{ n: string }>(
      `SELECT count(*) AS n FROM candles c JOIN assets a ON a.id = c.asset_id
       WHERE a.symbol = $1 AND c.interval_minutes = $2 AND c.ts BETWEEN to_timestamp($3) AND to_timestamp($4)`,
      [symbol, interval, from, to],
    );
    return Number(r!.n);
  }

  /** Coverage ranges of a series as [start, end, candle_count] in epoch seconds. */
  async coverage(symbol: string, interval: number): Promise<Array<[number, number, number]>> {
    const rows = await this.rows<{ s: string; e: string; n: string }>(
      `SELECT extract(epoch FROM r.start_ts)::bigint AS s, ` +
        `extract(epoch FROM r.end_ts)::bigint AS e, r.candle_count AS n
       FROM data_coverage_ranges r JOIN assets a ON a.id = r.asset_id
       WHERE a.symbol = $1 AND r.interval_minutes = $2 ORDER BY r.start_ts`,
      [symbol, interval],
    );
    return rows.map((r) => [Number(r.s), Number(r.e), Number(r.n)]);
  }

  async records(jobId: string): Promise<
    Array<{
      id: number;
      archive: string | null;
      path: string;
      status: string;
      rows_read: string;
      rows_ingested: string;
      rows_rejected: string;
      first: string | null;
      last: string | null;
      checkpoint: Record<string, string> | null;
      sha256: string | null;
      error: string | null;
    }>
  > {
    return this.rows(
      `SELECT id, archive, path, status, rows_read, rows_ingested, rows_rejected, checkpoint, sha256, error,
              extract(epoch FROM first_ts)::bigint AS first, extract(epoch FROM last_ts)::bigint AS last
       FROM file_ingestion_records WHERE job_id = $1 ORDER BY id`,
      [jobId],
    );
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
