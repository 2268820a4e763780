import { setTimeout as sleep } from 'node:timers/promises';
import { QuestDbVisibilityError } from './questdb.errors';

/** One row of QuestDB's `wal_tables()` for a table. */
export interface WalState {
  suspended: boolean;
  /** Last transaction applied to the table (visible to reads). */
  writerTxn: number;
  /** Last transaction committed to the WAL sequencer (acknowledged). */
  sequencerTxn: number;
}

export interface VisibilityOptions {
  timeoutMs: number;
  /** Defaults: real sleep and monotonic-enough Date.now; tests pass their own. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** A suspended WAL (QuestDB stopped applying it after an error, or an operator did): it says how to resume it. */
export function walSuspendedError(table: string, state: WalState, consequence: string): QuestDbVisibilityError {
  return new QuestDbVisibilityError(
    `QuestDB's WAL for ${table} is suspended at transaction ${state.writerTxn} of ${state.sequencerTxn}: ` +
      `${consequence} until an operator runs ALTER TABLE ${table} RESUME WAL`,
  );
}

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 250;

/**
 * Waits until everything acknowledged so far is visible to reads. QuestDB
 * acknowledges an ILP/HTTP request (or a SQL UPDATE) once it is committed to
 * the WAL sequencer, and applies it to the table asynchronously. The first
 * probe, taken after the acknowledgement, fixes the target: the sequencer's
 * transaction at that moment (which includes ours). Waiting is over when the
 * writer has applied up to it; other writers' later commits do not prolong
 * the wait. A suspended WAL never catches up: that fails at once. `probe`
 * returning null means the table is not a WAL table: writes are visible at once.
 */
export async function waitUntilApplied(
  table: string,
  probe: () => Promise<WalState | null>,
  options: VisibilityOptions,
): Promise<{ targetTxn: number; polls: number }> {
  const pause = options.sleep ?? ((ms: number) => sleep(ms));
  const now = options.now ?? Date.now;
  const started = now();
  const first = await probe();
  if (first === null) return { targetTxn: 0, polls: 1 };
  const targetTxn = first.sequencerTxn;
  let state = first;
  let interval = FIRST_POLL_MS;
  for (let polls = 1; ; polls++) {
    if (state.writerTxn >= targetTxn) return { targetTxn, polls };
    if (state.suspended) throw walSuspendedError(table, state, 'acknowledged writes will not become visible');
    const elapsed = now() - started;
    if (elapsed >= options.timeoutMs) {
      throw new QuestDbVisibilityError(
        `QuestDB applied ${table} only up to transaction ${state.writerTxn} of ${targetTxn} ` +
          `within ${options.timeoutMs} ms ` +
          `(QUESTDB_VISIBILITY_TIMEOUT_MS): the written candles are acknowledged but not yet visible`,
      );
    }
    await pause(Math.min(interval, Math.max(1, options.timeoutMs - elapsed)));
    interval = Math.min(interval * 2, MAX_POLL_MS);
    state = (await probe()) ?? { suspended: false, writerTxn: targetTxn, sequencerTxn: targetTxn };
  }
}
