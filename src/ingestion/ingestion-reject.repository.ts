import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredReject {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

/** Rejected rows, kept with their job and file record (table ingestion_rejects). */
@Injectable()
export class IngestionRejectRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(jobId: string, fileRecordId: number, rejects: readonly StoredReject[]): Promise<void> {
    if (rejects.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ingestion_rejects (job_id, file_record_id, file, line, reason, raw)
       SELECT $1, $2, u.file, u.line, u.reason, u.raw ` +
        `FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[]) AS u(file, line, reason, raw)`,
      [
        jobId,
        fileRecordId,
        rejects.map((r) => r.file),
        rejects.map((r) => r.line),
        rejects.map((r) => r.reason),
        rejects.map((r) => r.raw),
      ],
    );
  }

  async deleteForFile(fileRecordId: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM ingestion_rejects WHERE file_record_id = $1`, [fileRecordId]);
  }

  async listForJob(jobId: string, limit: number): Promise<StoredReject[]> {
    const rows: Array<{ file: string; line: string; reason: string; raw: string }> = await this.dataSource.query(
      `SELECT file, line, reason, raw FROM ingestion_rejects WHERE job_id = $1 ORDER BY id LIMIT $2`,
      [jobId, limit],
    );
    return rows.map((r) => ({ ...r, line: Number(r.line) }));
  }

  async countForJob(jobId: string): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM ingestion_rejects WHERE job_id = $1`,
      [jobId],
    );
    return Number(row?.n ?? 0);
  }
}
