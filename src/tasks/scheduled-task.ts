import { JobKind } from '../common/enums';
import { JobRunOutcome } from '../jobs/job-run-recorder';

/**
 * A maintenance task: scheduled by cron in the server and runnable on demand (`candlekeep tasks run NAME`).
 * Each run is a job row of kind `kind` naming the task.
 */
export interface ScheduledTask<R extends object = object> {
  readonly name: string;
  readonly kind: JobKind;
  readonly description: string;
  /** The cron expression (UTC) from the configuration. */
  cron(): string;
  /** `signal` aborts when the run's job is cancelled (`jobs cancel`); a task that can stop early heeds it. */
  run(signal: AbortSignal): Promise<R>;
  /** What the result says of the work (counts, work left undone); without it, a run that returns is COMPLETED. */
  outcome?(result: R): JobRunOutcome;
}

/** DI token for the list of every ScheduledTask. */
export const SCHEDULED_TASKS = Symbol('SCHEDULED_TASKS');
