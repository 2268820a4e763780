import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/** Says the service stopped (and why), as the last line of its log. */
@Injectable()
export class ShutdownLogger implements OnApplicationShutdown {
  private readonly logger = new Logger('main');

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`candlekeep stopped${signal ? ` (${signal})` : ''}`);
  }
}
