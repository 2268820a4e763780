import { Logger } from '@nestjs/common';

/** Exit code of a run stopped by a signal, as shells report it (128 + the signal's number). */
export const EXIT_INTERRUPTED: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `work` with an AbortSignal (`stopping` says what happens next, e.g. "stopping after the request in hand")
 * that the first SIGINT or SIGTERM aborts (its reason is the signal's name): the work stops at its next safe point
 * and leaves everything resumable. A second signal exits at once, as Node would have without this. The handlers are
 * removed when the work ends.
 */
export async function interruptible<T>(
  logger: Logger,
  stopping: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn(`${signal} again: exiting now`);
      process.exit(EXIT_INTERRUPTED[signal] ?? 1);
    }
    logger.warn(`${signal}: ${stopping} (${signal} again to stop at once)`);
    controller.abort(signal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
