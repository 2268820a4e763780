import { runCli } from '../helpers/cli';
import { exited, freePort, startServer, waitForHealth } from '../helpers/server';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';

interface CandleStoreReport {
  store: string;
  reachable: boolean;
  error?: string;
}

describe('candle store selection, migrate and health (no QuestDB on this machine)', () => {
  let db: TestDatabase;
  let unreachable: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    const [ilp, pg] = [await freePort(), await freePort()];
    unreachable = {
      DATABASE_URL: db.url,
      CANDLE_STORE: 'questdb',
      QUESTDB_ILP: `http::addr=127.0.0.1:${ilp};`,
      QUESTDB_PG_URL: `postgres://admin:quest@127.0.0.1:${pg}/qdb`,
    };
  });
  afterAll(() => db.drop());

  it('CANDLE_STORE=questdb without its variables exits 2 naming both', async () => {
    const r = await runCli(['migrate', '--json'], { DATABASE_URL: db.url, CANDLE_STORE: 'questdb' });
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string } }>().error.code).toBe('CONFIG_INVALID');
    expect(r.stderr).toContain('QUESTDB_ILP="": required when CANDLE_STORE=questdb');
    expect(r.stderr).toContain('QUESTDB_PG_URL="": required when CANDLE_STORE=questdb');
  });

  it('an ILP string that is not ILP/HTTP exits 2 and says why', async () => {
    const r = await runCli(['migrate', '--json'], { ...unreachable, QUESTDB_ILP: 'tcp::addr=127.0.0.1:9009;' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('QUESTDB_ILP="tcp::addr=127.0.0.1:9009;"');
    expect(r.stderr).toContain('use http:: or https::');
  });

  it('`migrate --json` migrates the state database, then reports an unreachable QuestDB and exits 1', async () => {
    const r = await runCli(['migrate', '--json'], unreachable);
    expect(r.code).toBe(1);
    const out = r.json<{ applied: string[]; database: { reachable: boolean }; candle_store: CandleStoreReport }>();
    expect(out.applied.length).toBeGreaterThan(0);
    expect(out.database.reachable).toBe(true);
    expect(out.candle_store).toMatchObject({ store: 'questdb', reachable: false });
    expect(out.candle_store.error).toContain('QUESTDB_PG_URL');
    expect(out.candle_store.error).toContain('ECONNREFUSED');
  });

  it('`migrate --json` with the default store reports the postgres candle store as reachable', async () => {
    const r = await runCli(['migrate', '--json'], { DATABASE_URL: db.url });
    expect(r.code).toBe(0);
    expect(r.json<{ candle_store: CandleStoreReport }>().candle_store).toEqual({ store: 'postgres', reachable: true });
  });

  it('GET /health reports the candle store: 503 while QuestDB is unreachable, 200 with postgres', async () => {
    for (const [env, expected] of [
      [unreachable, { status: 503, store: 'questdb', reachable: false }],
      [{ DATABASE_URL: db.url }, { status: 200, store: 'postgres', reachable: true }],
    ] as const) {
      const port = await freePort();
      const server = startServer({ ...env, PORT: String(port) });
      try {
        const res = await waitForHealth(port, server);
        const body = (await res.json()) as { status: string; candle_store: CandleStoreReport };
        expect({ status: res.status, store: body.candle_store.store, reachable: body.candle_store.reachable }).toEqual(
          expected,
        );
        if (!expected.reachable) {
          expect(body.status).toBe('degraded');
          expect(body.candle_store.error).toMatch(
            /PG wire \(QUESTDB_PG_URL\).*; ILP\/HTTP \(QUESTDB_ILP\) 127\.0\.0\.1:\d+: ECONNREFUSED/,
          );
        }
      } finally {
        server.child.kill('SIGTERM');
        await exited(server.child);
      }
    }
  });
});
