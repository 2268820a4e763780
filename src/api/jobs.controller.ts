import { ApiErrorResponse } from './api-errors';
import { Controller, Delete, Get, Param } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { JobsService } from '../ingestion/jobs.service';
import { BackgroundJobsService } from '../tasks/background-jobs.service';
import { JobDetailDto, JobSummaryDto } from './dto/jobs.dto';
import { Scopes } from './scopes.decorator';

const ID = { name: 'id', description: 'a job id, or a unique prefix of one (4+ characters)' };

/** GET and DELETE /jobs/:id: `candlekeep jobs show ID` and `jobs cancel ID`. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly background: BackgroundJobsService,
  ) {}

  @Get(':id')
  @ApiParam(ID)
  @ApiOkResponse({ type: JobDetailDto, description: 'the job with its counts, result, files and rejected rows' })
  @ApiBadRequestResponse({ description: 'not a job id, or a prefix several jobs share', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'no such job (JOB_NOT_FOUND)', type: ApiErrorResponse })
  show(@Param('id') id: string): Promise<JobDetailDto> {
    return this.jobs.show(id);
  }

  @Delete(':id')
  @Scopes('ingest')
  @ApiParam(ID)
  @ApiOkResponse({
    type: JobSummaryDto,
    description: 'CANCELLED; the run stops at its next safe point (after the request in hand)',
  })
  @ApiBadRequestResponse({ description: 'not a job id, or a prefix several jobs share', type: ApiErrorResponse })
  @ApiNotFoundResponse({ description: 'no such job (JOB_NOT_FOUND)', type: ApiErrorResponse })
  @ApiConflictResponse({ description: 'the job has finished already (JOB_FINISHED)', type: ApiErrorResponse })
  cancel(@Param('id') id: string): Promise<JobSummaryDto> {
    return this.background.cancel(id);
  }
}
