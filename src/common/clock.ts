import { Inject, Injectable, Optional } from '@nestjs/common';
import { toSeconds } from './time';

/** The injection token of the pinned now (CANDLEKEEP_NOW), provided by the config module; absent: the real clock. */
export const PINNED_NOW = Symbol('PINNED_NOW');

/** The one source of "now". CANDLEKEEP_NOW pins it for reproducible runs and tests. */
@Injectable()
export class Clock {
  private readonly pinned?: Date;

  constructor(@Optional() @Inject(PINNED_NOW) pinned?: Date | null) {
    this.pinned = pinned ?? undefined;
  }

  now(): Date {
    return this.pinned ? new Date(this.pinned.getTime()) : new Date();
  }

  /** Epoch seconds of now. */
  nowSeconds(): number {
    return toSeconds(this.now());
  }

  get isPinned(): boolean {
    return this.pinned !== undefined;
  }
}
