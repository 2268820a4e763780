import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/** The one source of "now". CANDLEKEEP_NOW pins it for reproducible runs and tests. */
@Injectable()
export class Clock {
  private readonly pinned?: Date;

  constructor(config: AppConfig) {
    this.pinned = config.pinnedNow;
  }

  now(): Date {
    return this.pinned ? new Date(this.pinned.getTime()) : new Date();
  }

  /** Epoch seconds of now. */
  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  get isPinned(): boolean {
    return this.pinned !== undefined;
  }
}
