import { CandlekeepError } from '../common/errors';

/** No scheduled task of that name: CLI exit 2, HTTP 404. */
export class UnknownTaskError extends CandlekeepError {
  readonly code = 'UNKNOWN_TASK';
  readonly kind = 'not_found' as const;
}

/** A run asked for while another (in this process or another replica) holds the task's lock: HTTP 409. */
export class TaskLockedError extends CandlekeepError {
  readonly code = 'TASK_LOCKED';
  readonly kind = 'conflict' as const;
}

/**
 * Cancelling a job that has already finished, asked over HTTP: 409 (the state does not allow it). `jobs cancel`
 * keeps its JobFinishedError (a usage mistake, exit 2); the code is the same.
 */
export class JobAlreadyFinishedError extends CandlekeepError {
  readonly code = 'JOB_FINISHED';
  readonly kind = 'conflict' as const;
}
