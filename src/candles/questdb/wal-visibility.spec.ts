import { QuestDbVisibilityError } from './questdb.errors';
import { waitUntilApplied, WalState } from './wal-visibility';

/** A fake clock and a scripted wal_tables() probe: the waiting logic as a pure function. */
function scripted(states: Array<WalState | null>) {
  let t = 0;
  const probes: number[] = [];
  const sleeps: number[] = [];
  let i = 0;
  return {
    probes,
    sleeps,
    probe: async () => {
      probes.push(t);
      const s = states[Math.min(i, states.length - 1)] ?? null;
      i++;
      return s;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    now: () => t,
  };
}

const state = (writerTxn: number, sequencerTxn: number, suspended = false): WalState => ({
  writerTxn,
  sequencerTxn,
  suspended,
});

describe('waitUntilApplied', () => {
  it('returns at once when the writer has applied everything', async () => {
    const s = scripted([state(5, 5)]);
    expect(await waitUntilApplied('assetprice', s.probe, { timeoutMs: 1000, sleep: s.sleep, now: s.now })).toEqual({
      targetTxn: 5,
      polls: 1,
    });
    expect(s.sleeps).toEqual([]);
  });

  it('polls with growing pauses until the writer reaches the sequencer transaction seen after the write', async () => {
    const s = scripted([state(3, 6), state(4, 6), state(5, 7), state(6, 9)]);
    const r = await waitUntilApplied('assetprice', s.probe, { timeoutMs: 10_000, sleep: s.sleep, now: s.now });
    // Target is 6 (the first probe), not the 9 that later writers pushed the sequencer to.
    expect(r).toEqual({ targetTxn: 6, polls: 4 });
    expect(s.sleeps).toEqual([10, 20, 40]);
  });

  it('fails with a typed error naming both transactions when the timeout passes', async () => {
    const s = scripted([state(1, 4)]);
    const error = await waitUntilApplied('assetprice', s.probe, { timeoutMs: 100, sleep: s.sleep, now: s.now }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuestDbVisibilityError);
    expect((error as Error).message).toContain('only up to transaction 1 of 4 within 100 ms');
    expect(s.now()).toBeGreaterThanOrEqual(100);
    expect(s.now()).toBeLessThan(400);
  });

  it('fails at once when the WAL is suspended, saying how to resume it', async () => {
    const s = scripted([state(2, 3, true)]);
    const error = await waitUntilApplied('assetprice', s.probe, {
      timeoutMs: 10_000,
      sleep: s.sleep,
      now: s.now,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuestDbVisibilityError);
    expect((error as Error).message).toContain('ALTER TABLE assetprice RESUME WAL');
    expect(s.sleeps).toEqual([]);
  });

  it('treats a table missing from wal_tables() (not a WAL table) as visible at once', async () => {
    const s = scripted([null]);
    expect(await waitUntilApplied('assetprice', s.probe, { timeoutMs: 1000, sleep: s.sleep, now: s.now })).toEqual({
      targetTxn: 0,
      polls: 1,
    });
  });
});
