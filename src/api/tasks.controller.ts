import { ApiErrorResponse } from './api-errors';
import { Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BackgroundJobsService } from '../tasks/background-jobs.service';
import { StartedJobDto, startedJobBody } from './dto/ingest.dto';
import { Scopes } from './scopes.decorator';

/** POST /tasks/:name/run: a scheduled task run now (`candlekeep tasks run NAME`), in the background. */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly background: BackgroundJobsService) {}

  @Post(':name/run')
  @HttpCode(HttpStatus.ACCEPTED)
  @Scopes('ingest')
  @ApiParam({ name: 'name', description: 'a task of `candlekeep tasks list`', example: 'validate-recent-data' })
  @ApiAcceptedResponse({
    type: StartedJobDto,
    description: 'the job row exists and the task runs in the background: follow links.self',
  })
  @ApiNotFoundResponse({ description: 'no such task (UNKNOWN_TASK)', type: ApiErrorResponse })
  @ApiConflictResponse({
    description: 'the task is running, here or in another replica (TASK_LOCKED)',
    type: ApiErrorResponse,
  })
  async run(@Param('name') name: string): Promise<StartedJobDto> {
    return startedJobBody(await this.background.runTask(name));
  }
}
