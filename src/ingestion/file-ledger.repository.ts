import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';

/** The file ledger: one FileIngestionRecord per loose file or archive member and job. */
@Injectable()
export class FileLedgerRepository {
  constructor(@InjectRepository(FileIngestionRecord) private readonly repo: Repository<FileIngestionRecord>) {}

  newRecord(fields: Partial<FileIngestionRecord>): FileIngestionRecord {
    return this.repo.create({
      status: 'PENDING',
      rowsRead: 0,
      rowsIngested: 0,
      rowsRejected: 0,
      checkpoint: null,
      error: null,
      ...fields,
    });
  }

  save(record: FileIngestionRecord): Promise<FileIngestionRecord> {
    return this.repo.save(record);
  }

  findCompletedBySha(sha256: string): Promise<FileIngestionRecord | null> {
    return this.repo.findOneBy({ sha256, status: 'COMPLETED' });
  }

  /** Fast re-run pre-check of a loose file: same path, size and mtime as a completed one. */
  findCompletedByStat(path: string, sizeBytes: number, mtimeMs: number): Promise<FileIngestionRecord | null> {
    return this.repo
      .createQueryBuilder('f')
      .where(`f.status = 'COMPLETED' AND f.archive IS NULL`)
      .andWhere('f.path = :path AND f.size_bytes = :sizeBytes AND f.mtime_ms = :mtimeMs', { path, sizeBytes, mtimeMs })
      .getOne();
  }

  /** Fast re-run pre-check of an archive member: same CRC-32 and size as a completed file's content. */
  findCompletedByCrc(crc32: number, sizeBytes: number): Promise<FileIngestionRecord | null> {
    return this.repo
      .createQueryBuilder('f')
      .where(`f.status = 'COMPLETED' AND f.crc32 = :crc32 AND f.size_bytes = :sizeBytes`, { crc32, sizeBytes })
      .getOne();
  }

  forJob(jobId: string): Promise<FileIngestionRecord[]> {
    return this.repo.find({ where: { jobId }, order: { id: 'ASC' } });
  }

  /** Files an abandoned job left PROCESSING become FAILED (their writes were rolled back with the connection). */
  async failProcessing(jobId: string, error: string): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .update(FileIngestionRecord)
      .set({ status: 'FAILED', error })
      .where(`job_id = :jobId AND status IN ('PROCESSING', 'PENDING')`, { jobId })
      .execute();
    return result.affected ?? 0;
  }

  /** Files left PROCESSING or PENDING by a job that is no longer running (it failed or was abandoned): FAILED. */
  async failOrphans(error: string): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .update(FileIngestionRecord)
      .set({ status: 'FAILED', error })
      .where(
        `status IN ('PROCESSING', 'PENDING') AND job_id IN (SELECT id FROM ingestion_jobs WHERE status <> 'RUNNING')`,
      )
      .execute();
    return result.affected ?? 0;
  }
}
