import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { FileStatus } from '../common/enums';
import { StateTransitionError } from './state-transition.error';
import { bigintNumber } from './transformers';

export interface FileCounts {
  rowsRead: number;
  rowsIngested: number;
  rowsRejected: number;
  firstTs: Date | null;
  lastTs: Date | null;
}

@Entity('file_ingestion_records')
@Index('uq_file_ingestion_records_sha256_completed', ['sha256'], { unique: true, where: "status = 'COMPLETED'" })
export class FileIngestionRecord {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId!: string | null;

  /** The ZIP holding the member, or null for a loose file. */
  @Column({ type: 'text', nullable: true })
  archive!: string | null;

  /** File path, or member path inside the archive. */
  @Column({ type: 'text' })
  path!: string;

  @Column({ name: 'size_bytes', type: 'bigint', default: 0, transformer: bigintNumber })
  sizeBytes!: number;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  /** A loose file's modification time (ms): with path and size, the re-run pre-check. */
  @Column({ name: 'mtime_ms', type: 'bigint', nullable: true, transformer: bigintNumber })
  mtimeMs!: number | null;

  /** CRC-32 of the content (a ZIP member's is in its directory entry): with size, the re-run pre-check. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  crc32!: number | null;

  @Column({ name: 'asset_id', type: 'integer', nullable: true })
  assetId!: number | null;

  @Column({ name: 'interval_minutes', type: 'integer', nullable: true })
  intervalMinutes!: number | null;

  @Column({ type: 'text', default: 'PENDING' })
  status!: FileStatus;

  @Column({ name: 'rows_read', type: 'bigint', default: 0, transformer: bigintNumber })
  rowsRead!: number;

  @Column({ name: 'rows_ingested', type: 'bigint', default: 0, transformer: bigintNumber })
  rowsIngested!: number;

  @Column({ name: 'rows_rejected', type: 'bigint', default: 0, transformer: bigintNumber })
  rowsRejected!: number;

  @Column({ name: 'first_ts', type: 'timestamptz', nullable: true })
  firstTs!: Date | null;

  @Column({ name: 'last_ts', type: 'timestamptz', nullable: true })
  lastTs!: Date | null;

  /** Resume position inside the file (e.g. byte offset and line of the last committed batch). */
  @Column({ type: 'jsonb', nullable: true })
  checkpoint!: Record<string, number | string> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  startProcessing(): void {
    if (this.status === 'COMPLETED' || this.status === 'SKIPPED_DUPLICATE') {
      throw new StateTransitionError(`file ${this.path} is ${this.status} and is not processed again`);
    }
    this.status = 'PROCESSING';
    this.error = null;
  }

  /** PROCESSING → COMPLETED. Refuses counts that lose rows: read = ingested + rejected. */
  complete(counts: FileCounts): void {
    if (this.status !== 'PROCESSING')
      throw new StateTransitionError(`file ${this.path} is ${this.status}, not PROCESSING`);
    if (counts.rowsRead !== counts.rowsIngested + counts.rowsRejected) {
      throw new StateTransitionError(
        `file ${this.path}: rows_read ${counts.rowsRead} ` +
          `!= ingested ${counts.rowsIngested} + rejected ${counts.rowsRejected}`,
      );
    }
    Object.assign(this, counts);
    this.status = 'COMPLETED';
    this.checkpoint = null;
  }

  fail(error: string, counts?: Partial<FileCounts>): void {
    if (this.status === 'COMPLETED') throw new StateTransitionError(`file ${this.path} is already COMPLETED`);
    if (counts) Object.assign(this, counts);
    this.status = 'FAILED';
    this.error = error;
  }

  /** A fresh attempt at the file as it is now: its size and mtime taken again, its row counts from zero. */
  retake(sizeBytes: number, mtimeMs: number | null): void {
    this.sizeBytes = sizeBytes;
    this.mtimeMs = mtimeMs;
    this.rowsRead = 0;
    this.rowsIngested = 0;
    this.rowsRejected = 0;
  }

  /** SKIPPED_DUPLICATE of the completed record `of`, whose content (hash) it shares. */
  skipDuplicateOf(of: FileIngestionRecord): void {
    this.sha256 = of.sha256;
    this.crc32 ??= of.crc32;
    this.skipDuplicate(`${of.id}`);
  }

  skipDuplicate(of: string): void {
    if (this.status === 'COMPLETED') throw new StateTransitionError(`file ${this.path} is already COMPLETED`);
    this.status = 'SKIPPED_DUPLICATE';
    this.error = null;
    this.checkpoint = { duplicate_of: of };
  }
}
