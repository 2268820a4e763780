import { ApiProperty } from '@nestjs/swagger';
import { JOB_KINDS, JOB_STATUSES, JOB_TRIGGERS, JobKind, JobTrigger } from '../../common/enums';
import { JobDetail, JobFileSummary, JobSummary } from '../../ingestion/jobs.service';

/** A job as `candlekeep jobs cancel --json` prints it. */
export class JobSummaryDto implements JobSummary {
  @ApiProperty({ format: 'uuid' }) job_id!: string;
  @ApiProperty({ enum: JOB_KINDS }) kind!: JobKind;
  @ApiProperty({ enum: JOB_TRIGGERS }) trigger!: JobTrigger;
  @ApiProperty({ type: String, nullable: true, description: 'the scheduled task the job is a run of' })
  task!: string | null;
  @ApiProperty({ enum: JOB_STATUSES }) status!: string;
  @ApiProperty({ description: 'RUNNING but silent for 3 heartbeats: the process is gone' }) stale!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'what the run was asked: tier, intervals, symbols, paths, flags',
  })
  params!: JobSummary['params'];
  @ApiProperty() files_total!: number;
  @ApiProperty() files_ingested!: number;
  @ApiProperty() files_skipped!: number;
  @ApiProperty() files_failed!: number;
  @ApiProperty() rows_read!: number;
  @ApiProperty() rows_ingested!: number;
  @ApiProperty() rows_rejected!: number;
  @ApiProperty() created_at!: string;
  @ApiProperty({ type: String, nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) heartbeat_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) finished_at!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'measured run time; null while running' })
  duration_ms!: number | null;
  @ApiProperty() gaps_detected!: number;
  @ApiProperty() gaps_filled!: number;
  @ApiProperty() gaps_unfillable!: number;
  @ApiProperty() api_calls!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class JobFileDto implements JobFileSummary {
  @ApiProperty() id!: number;
  @ApiProperty({ type: String, nullable: true }) archive!: string | null;
  @ApiProperty() path!: string;
  @ApiProperty() status!: string;
  @ApiProperty() size_bytes!: number;
  @ApiProperty({ type: String, nullable: true }) sha256!: string | null;
  @ApiProperty() rows_read!: number;
  @ApiProperty() rows_ingested!: number;
  @ApiProperty() rows_rejected!: number;
  @ApiProperty({ type: String, nullable: true }) first_ts!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_ts!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class JobRejectDto {
  @ApiProperty() file!: string;
  @ApiProperty() line!: number;
  @ApiProperty() reason!: string;
  @ApiProperty() raw!: string;
}

/** A job as `candlekeep jobs show --json` prints it. */
export class JobDetailDto extends JobSummaryDto implements JobDetail {
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: "a backfill's or a task run's own summary (its --json object); null for ingest jobs and while running",
  })
  result!: object | null;
  @ApiProperty({ type: [JobFileDto] }) files!: JobFileDto[];
  @ApiProperty() rejects_total!: number;
  @ApiProperty({ type: [JobRejectDto], description: 'the first 1000 rejected rows' }) rejects!: JobRejectDto[];
}
