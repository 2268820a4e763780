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

/** Only ingest jobs resume; a backfill, update or task run is run again (the ledger holds where it stopped). */
export class JobNotResumableError extends CandlekeepError {
  readonly code = 'JOB_NOT_RESUMABLE';
  readonly kind = 'usage' as const;
}

/** A --csv FILE whose name says neither pair nor interval: a usage error. */
export class ArchiveNameError extends CandlekeepError {
  readonly code = 'ARCHIVE_NAME';
  readonly kind = 'usage' as const;
}

/** Files were found but none passed --tier / --intervals: the run did nothing it was asked to (exit 1). */
export class NothingMatchedError extends CandlekeepError {
  readonly code = 'NOTHING_MATCHED';
  readonly kind = 'conflict' as const;
}
