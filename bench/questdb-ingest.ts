/**
 * Ingest benchmark, questdb mode: rows/s of a Kraken OHLCVT CSV file
 * (`ts,open,high,low,close,volume,trades`, no header; the file the postgres
 * ingest benchmark generates) streamed into QuestDB through the QuestDB
 * CandleStore's bulk writer: parse, ILP/HTTP batches, acknowledgements, and
 * the wait until QuestDB's WAL made every row visible. Without a file it
 * generates `--rows` candles in memory.
 *
 *   npm run bench:questdb -- [--file PATH] [--rows N] [--interval 1] [--symbol S] [--batch-rows N]
 *
 * Needs QUESTDB_ILP and QUESTDB_PG_URL; when they are unset or QuestDB does
 * not answer it says so and exits 0. Prints one JSON line on stdout. The rows
 * stay in table assetprice under the benchmark's symbol (unique per run unless
 * --symbol is given).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Candle, SeriesRef } from '../src/candles/candle-store';
import { QuestDbCandleStore } from '../src/candles/questdb/questdb-candle-store';

interface Args {
  file?: string;
  rows: number;
  interval: number;
  symbol: string;
  batchRows: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 1_000_000, interval: 1, symbol: `BENCH${Date.now()}-USD-SPOT`, batchRows: 50_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    if (flag === '--file') args.file = value;
    else if (flag === '--rows') args.rows = Number(value);
    else if (flag === '--interval') args.interval = Number(value);
    else if (flag === '--symbol') args.symbol = value;
    else if (flag === '--batch-rows') args.batchRows = Number(value);
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  for (const [name, n] of [['--rows', args.rows], ['--interval', args.interval], ['--batch-rows', args.batchRows]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  }
  return args;
}

async function* fromFile(path: string): AsyncGenerator<Candle> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const f = line.split(',');
    yield { ts: Number(f[0]), open: Number(f[1]), high: Number(f[2]), low: Number(f[3]), close: Number(f[4]), vwap: null, volume: Number(f[5]), trades: Number(f[6]) };
  }
}

function* generated(rows: number, intervalMinutes: number): Generator<Candle> {
  const step = intervalMinutes * 60;
  const start = Math.floor(Date.UTC(2020, 0, 1) / 1000 / step) * step;
  for (let i = 0; i < rows; i++) {
    const p = 30_000 + Math.sin(i / 500) * 1_000;
    yield { ts: start + i * step, open: p, high: p + 5.25, low: p - 4.75, close: p + 0.5, vwap: p + 0.1, volume: 1 + (i % 97) / 10, trades: 1 + (i % 13) };
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ilp = process.env.QUESTDB_ILP;
  const pgUrl = process.env.QUESTDB_PG_URL;
  if (!ilp || !pgUrl) {
    process.stdout.write(`${JSON.stringify({ store: 'questdb', skipped: 'QuestDB is not reachable: QUESTDB_ILP and QUESTDB_PG_URL are not set' })}\n`);
    return;
  }
  const store = new QuestDbCandleStore({ ilp, pgUrl, batchRows: args.batchRows, visibilityTimeoutMs: 600_000 });
  try {
    const health = await store.health();
    if (!health.reachable) {
      process.stdout.write(`${JSON.stringify({ store: 'questdb', skipped: `QuestDB is not reachable: ${health.error}` })}\n`);
      return;
    }
    await store.ensureSchema();
    const series: SeriesRef = { assetId: 0, symbol: args.symbol, intervalMinutes: args.interval };
    const source = args.file ? fromFile(args.file) : generated(args.rows, args.interval);
    const started = process.hrtime.bigint();
    const writer = await store.bulkWriter(series, 'csv');
    for await (const candle of source) await writer.write(candle);
    const rows = await writer.commit();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(
      `${JSON.stringify({
        store: 'questdb',
        rows,
        seconds: Number(seconds.toFixed(3)),
        rows_per_s: Math.round(rows / seconds),
        batch_rows: args.batchRows,
        symbol: args.symbol,
        input: args.file ?? `generated ${args.rows} rows`,
      })}\n`,
    );
  } finally {
    await store.onApplicationShutdown();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench questdb: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
