import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli, startCli } from '../helpers/cli';
import { storesUnderTest, StoreUnderTest } from '../helpers/candle-stores';
import { t, writePieces } from '../helpers/ingest';
import { krakenTestEnv } from '../helpers/kraken-env';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

/**
 * kill -9 at random moments of an archive ingest, a unified ingest and a
 * backfill against the Kraken test server; then the same command again. The
 * final state — candles (read through the store), coverage, and the open gap
 * and suspect records (spans, statuses, counts; ids may differ) — must equal
 * a run never killed. CHAOS_CASES per store (default 3, one per kind; `npm run
 * chaos` runs 30) and CHAOS_SEED choose the moments.
 */
const CASES = Number(process.env.CHAOS_CASES ?? 3);
const SEED = Number(process.env.CHAOS_SEED ?? 7);
const NOW = '2025-04-01T00:30:00Z';
const STORES = storesUnderTest('chaos (kill -9 and re-run)');

type Kind = 'ingest' | 'unified' | 'backfill';
const KINDS: Kind[] = ['ingest', 'unified', 'backfill'];

interface FinalState {
  candles: Array<[string, number, number, number]>;
  coverage: unknown[];
  open: unknown[];
}

describe.each(STORES)(
  'kill -9 at random moments, then the same command again: the state of a run never killed ($kind)',
  (store: StoreUnderTest) => {
    let server: KrakenTestServer;
    let dir: string;
    const references = new Map<Kind, { state: FinalState; ms: number }>();

    const env = (db: TestDatabase) =>
      krakenTestEnv(db.url, server.url, NOW, { ...store.env(db), JOB_HEARTBEAT_MS: '200', TRADES_BACKFILL: 'off' });
    /** The command a kind kills (its set-up, when it has one, runs to completion first). */
    const command = (kind: Kind): { setup?: string[]; args: string[] } =>
      kind === 'ingest'
        ? { args: ['ingest', '--csv', dir, '--no-api', '--json'] }
        : kind === 'unified'
          ? { args: ['ingest', '--csv', dir, '--json'] }
          : {
              setup: ['ingest', '--csv', dir, '--no-api', '--json'],
              args: ['backfill', '--intervals', '720,1440', '--json'],
            };

    async function finalState(db: TestDatabase): Promise<FinalState> {
      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      try {
        const series = (
          await pg.query<{ symbol: string; i: number }>(
            `SELECT a.symbol, s.interval_minutes AS i FROM series s JOIN assets a ON a.id = s.asset_id ORDER BY 1, 2`,
          )
        ).rows;
        const candles: FinalState['candles'] = [];
        for (const s of series) {
          const stored = await store.readStored(db, s.symbol, s.i, { from: 0, to: t('2100-01-01') });
          candles.push([
            s.symbol,
            s.i,
            stored.length,
            Math.round(stored.reduce((n, c) => n + c.close * 1e-3 + c.volume, 0) * 1e6),
          ]);
        }
        const coverage = (
          await pg.query(
            `SELECT a.symbol, r.interval_minutes, r.start_ts::text, r.end_ts::text, r.candle_count::int ` +
              `FROM data_coverage_ranges r JOIN assets a ON a.id = r.asset_id ORDER BY 1, 2, 3`,
          )
        ).rows;
        const open = (
          await pg.query(
            `SELECT a.symbol, g.interval_minutes, g.kind, g.start_ts::text, g.end_ts::text, ` +
              `g.missing_intervals::int, g.fillability, g.status
             FROM gap_records g JOIN assets a ON a.id = g.asset_id
            WHERE g.status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'MERGED') ORDER BY 1, 2, 3, 4`,
          )
        ).rows;
        return { candles, coverage, open };
      } finally {
        await pg.end();
      }
    }

    async function clean(kind: Kind): Promise<{ state: FinalState; ms: number }> {
      const known = references.get(kind);
      if (known) return known;
      const db = await createTestDatabase();
      try {
        const { setup, args } = command(kind);
        if (setup) expect([0, 1]).toContain((await runCli(setup, env(db))).code);
        const started = Date.now();
        expect([0, 1]).toContain((await runCli(args, env(db))).code);
        const reference = { state: await finalState(db), ms: Date.now() - started };
        references.set(kind, reference);
        return reference;
      } finally {
        await store.drop(db);
        await db.drop();
      }
    }

    beforeAll(async () => {
      server = await KrakenTestServer.start({ now: NOW });
      server.delay('OHLC', 150); // room for a kill between a request and its coverage
      dir = mkdtempSync(join(tmpdir(), 'ck-chaos-'));
      // Daily and 12-hour BTC-USD pieces with holes old (archive-only: trades backfill is off)
      // and recent (OHLC-fillable).
      for (const member of ['XBTUSD_1440.csv', 'XBTUSD_720.csv']) {
        writePieces(join(dir, member.replace('.csv', '')), member, [
          [0, t('2023-01-01')],
          [t('2023-04-01'), t('2024-10-01')],
          [t('2025-01-01'), t('2026-01-01')],
        ]);
      }
    });
    afterAll(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it.each(Array.from({ length: CASES }, (_, i) => i))(
      'case %i',
      async (i) => {
        const kind = KINDS[i % KINDS.length]!;
        const reference = await clean(kind);
        // The kill moment: seeded, anywhere in the run (mulberry32 of the seed and the case).
        let z = (SEED * 7919 + i * 104_729 + 0x6d2b79f5) >>> 0;
        z = Math.imul(z ^ (z >>> 15), z | 1);
        z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
        const killAfterMs = 200 + (((z ^ (z >>> 14)) >>> 0) % Math.max(reference.ms, 1));
        const db = await createTestDatabase();
        try {
          const { setup, args } = command(kind);
          if (setup) await runCli(setup, env(db));
          const victim = startCli(args, env(db));
          const timer = setTimeout(() => victim.child.kill('SIGKILL'), killAfterMs);
          await victim.done;
          clearTimeout(timer);
          const again = await runCli(args, env(db));
          expect({ kind, killAfterMs, code: [0, 1].includes(again.code ?? -1) }).toEqual({
            kind,
            killAfterMs,
            code: true,
          });
          expect({ kind, killAfterMs, state: await finalState(db) }).toEqual({
            kind,
            killAfterMs,
            state: reference.state,
          });
        } finally {
          await store.drop(db);
          await db.drop();
        }
      },
      180_000,
    );
  },
);
