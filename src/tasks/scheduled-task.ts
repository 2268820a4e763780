/** A maintenance task: scheduled by cron in the server and runnable on demand (`candlekeep tasks run NAME`). */
export interface ScheduledTask {
  readonly name: string;
  readonly description: string;
  /** The cron expression (UTC) from the configuration. */
  cron(): string;
  run(): Promise<object>;
}

/** DI token for the list of every ScheduledTask. */
export const SCHEDULED_TASKS = Symbol('SCHEDULED_TASKS');
