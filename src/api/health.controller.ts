import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { HealthReportDto } from './health.dto';
import { HealthReport, HealthService } from './health.service';
import { Public } from './public.decorator';

/** `GET /health`, outside the /api/v1 prefix: public and not rate-limited (probes poll it). */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiOperation({ summary: 'database and candle store reachability (public)', security: [] })
  @ApiOkResponse({ type: HealthReportDto, description: 'the database and the candle store answer' })
  @ApiServiceUnavailableResponse({ type: HealthReportDto, description: 'the database or the candle store is down' })
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
