import { CandlekeepError } from '../common/errors';

/** A --csv PATH (file, ZIP or directory) that does not exist or cannot be read. */
export class ArchiveUnreadableError extends CandlekeepError {
  readonly code = 'ARCHIVE_UNREADABLE';
  readonly kind = 'usage' as const;
}

export class JobNotFoundError extends CandlekeepError {
  readonly code = 'JOB_NOT_FOUND';
  readonly kind = 'not_found' as const;
}

/** The job's state does not allow the action (resume a running or completed job, cancel a finished one). */
export class JobConflictError extends CandlekeepError {
  readonly code = 'JOB_CONFLICT';
  readonly kind = 'conflict' as const;
}

/** The job has already finished (COMPLETED, CANCELLED): nothing to resume or cancel — a usage mistake, exit 2. */
export class JobFinishedError extends CandlekeepError {
  readonly code = 'JOB_FINISHED';
  readonly kind = 'usage' as const;
}
