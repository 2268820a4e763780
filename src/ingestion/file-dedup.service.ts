import { Injectable, Logger } from '@nestjs/common';
import { SeriesRef } from '../common/series';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { HeldLock } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { DiscoveredFile } from './archive-discovery.service';
import { FileLedgerRepository } from './file-ledger.repository';
import { fileKey, RunContext } from './ingest-run';
import { IngestionRejectRepository } from './ingestion-reject.repository';

/**
 * Whether a file's content is ingested already, from the cheapest evidence on: this job's earlier attempt, then
 * the same loose file (path, size, mtime) or ZIP member (CRC-32, size), then, once the load has hashed it, the
 * same SHA-256. A repeat is recorded SKIPPED_DUPLICATE of the file that holds its rows.
 */
@Injectable()
export class FileDedupService {
  private readonly logger = new Logger(FileDedupService.name);

  constructor(
    private readonly ledger: FileLedgerRepository,
    private readonly rejects: IngestionRejectRepository,
  ) {}

  /** The job's records from its earlier attempts, by file key (a new job has none). */
  async previousRecords(job: IngestionJob): Promise<Map<string, FileIngestionRecord>> {
    const previous = new Map<string, FileIngestionRecord>();
    for (const r of await this.ledger.forJob(job.id)) previous.set(fileKey(r.archive, r.path), r);
    return previous;
  }

  /**
   * The file's record for this attempt, or null when the job's earlier attempt settled it (completed, or a
   * duplicate): counted again, not read. A record that failed before is taken again, its rejects dropped.
   */
  async recordFor(ctx: RunContext, file: DiscoveredFile, series: SeriesRef): Promise<FileIngestionRecord | null> {
    const { job } = ctx;
    const earlier = ctx.previous.get(fileKey(file.archive, file.path));
    if (earlier?.status === 'COMPLETED') {
      job.add('filesDone', 1);
      job.add('rowsRead', earlier.rowsRead);
      job.add('rowsIngested', earlier.rowsIngested);
      job.add('rowsRejected', earlier.rowsRejected);
      ctx.progress.advance(file.sizeBytes, 0);
      return null;
    }
    if (earlier?.status === 'SKIPPED_DUPLICATE') {
      job.add('filesSkipped', 1);
      ctx.progress.advance(file.sizeBytes, 0);
      return null;
    }
    if (earlier) await this.rejects.deleteForFile(earlier.id);
    const record =
      earlier ??
      this.ledger.newRecord({
        jobId: job.id,
        archive: file.archive,
        path: file.path,
        sizeBytes: file.sizeBytes,
        mtimeMs: file.mtimeMs,
        crc32: file.crc32,
        assetId: series.assetId,
        intervalMinutes: series.intervalMinutes,
      });
    record.retake(file.sizeBytes, file.mtimeMs);
    return record;
  }

  /**
   * A completed file this one is known to repeat without reading it: same loose file (path, size, mtime) or same member
   * CRC-32 and size.
   */
  knownFile(file: DiscoveredFile): Promise<FileIngestionRecord | null> {
    if (file.archive === null && file.mtimeMs !== null)
      return this.ledger.findCompletedByStat(file.path, file.sizeBytes, file.mtimeMs);
    if (file.crc32 !== null) return this.ledger.findCompletedByCrc(file.crc32, file.sizeBytes);
    return Promise.resolve(null);
  }

  /** The completed file with this content, once a pass has hashed it; the content's claim held from here on. */
  async completedWithContent(claim: HeldLock, sha256: string): Promise<FileIngestionRecord | null> {
    await claim.hold(LockKeys.content(sha256));
    return this.ledger.findCompletedBySha(sha256);
  }

  /**
   * Records the file as a duplicate of `of`; true: its rows are held (by `of`). `read`: its content was streamed
   * already (progress advanced).
   */
  async skipDuplicate(
    ctx: RunContext,
    record: FileIngestionRecord,
    of: FileIngestionRecord,
    file: DiscoveredFile,
    read = false,
  ): Promise<true> {
    record.skipDuplicateOf(of);
    await this.ledger.save(record);
    ctx.job.add('filesSkipped', 1);
    if (!read) ctx.progress.advance(file.sizeBytes, 0);
    this.logger.debug(
      `${file.name}: already ingested (file record ${of.id}), skipped` +
        `${read ? ' after reading it: its writes rolled back' : ''}`,
    );
    return true;
  }
}
