import { VERB_MODULES } from '../../src/cli/verb-modules';
import { runCliInProcess } from '../helpers/cli-in-process';
import { createTestDatabase, TestDatabase } from '../helpers/test-database';
import { KrakenTestServer } from '../kraken-test-server/kraken-test-server';

/**
 * Usage, help and configuration errors of every verb, in-process through the
 * CLI's own runner (the exit codes end to end are in e2e/cli.test.ts).
 */
describe('candlekeep usage and exit codes (in-process)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('refuses to run a verb other than migrate on a schema with pending migrations (exit 2)', async () => {
    const bare = await createTestDatabase({ migrated: false });
    try {
      const r = await runCliInProcess(['gaps', '--json'], { DATABASE_URL: bare.url });
      expect(r.code).toBe(2);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(/run `candlekeep migrate`/);
    } finally {
      await bare.drop();
    }
  });

  it('exits 2 on an invalid configuration value, naming the variable and the value', async () => {
    const r = await runCliInProcess(['migrate', '--json'], { DATABASE_URL: db.url, KRAKEN_RPS: 'lots' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KRAKEN_RPS="lots"');
    expect(r.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('KRAKEN_RPS="lots"'),
    });
  });

  it('exits 2 on an unknown verb or flag and 0 on --help for every verb', async () => {
    expect((await runCliInProcess(['frobnicate'], { DATABASE_URL: db.url })).code).toBe(2);
    const badFlag = await runCliInProcess(['migrate', '--nope'], { DATABASE_URL: db.url });
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("unknown option '--nope'");
    const help = await runCliInProcess(['--help'], { DATABASE_URL: db.url });
    expect(help.code).toBe(0);
    const verbs = [...help.stdout.matchAll(/^ {2}([a-z-]+)(?: \[options\]| )/gm)]
      .map((m) => m[1]!)
      .filter((v) => v !== 'help');
    expect(verbs).toContain('migrate');
    // Each verb boots from its own module alone: the table of them names every verb of the whole CLI, in its order.
    expect([...VERB_MODULES.keys()]).toEqual(verbs);
    for (const verb of verbs) {
      const r = await runCliInProcess([verb, '--help'], { DATABASE_URL: db.url });
      expect({ verb, code: r.code }).toEqual({ verb, code: 0 });
      expect(r.stdout).toContain(`Usage: candlekeep ${verb} `);
      expect(r.stdout).toContain('--json');
    }
  });

  describe('assets', () => {
    let server: KrakenTestServer;

    beforeAll(async () => {
      server = await KrakenTestServer.start({ now: '2026-01-12T00:00:00Z' });
    });
    afterAll(() => server.close());

    it('usage: help exits 0, a missing or unknown subcommand or flag exits 2', async () => {
      const env = { DATABASE_URL: db.url, KRAKEN_API_URL: server.url };
      const help = await runCliInProcess(['assets', 'sync', '--help'], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--json');
      const parentHelp = await runCliInProcess(['assets', '--help'], env);
      expect(parentHelp.code).toBe(0);
      expect(parentHelp.stdout).toContain('sync');
      for (const args of [
        ['assets'],
        ['assets', 'frobnicate'],
        ['assets', 'sync', '--nope'],
        ['assets', 'sync', 'extra'],
      ]) {
        const r = await runCliInProcess(args, env);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
      }
      const missing = await runCliInProcess(['assets'], env);
      expect(missing.stderr).toContain('missing subcommand');
      expect(server.requestCount()).toBe(0);
    });
  });
});
