import { Inject, Injectable, Logger } from '@nestjs/common';

/**
 * Monotonic time and sleeping, injectable so that tests measure request rates
 * and backoff without waiting on wall time. Not the domain Clock: a pinned
 * CANDLEKEEP_NOW must not freeze the rate limiter.
 */
export interface Timer {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const KRAKEN_TIMER = Symbol('KRAKEN_TIMER');

export const realTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

export interface RateLimitOptions {
  /** Steady requests per second (KRAKEN_RPS). */
  rps: number;
  /** Bucket size: requests allowed back to back after an idle spell (KRAKEN_BURST). */
  burst: number;
}

export const KRAKEN_RATE_LIMIT = Symbol('KRAKEN_RATE_LIMIT');

/** How far a rate-limit answer cuts the rate, the floor, and how fast successes restore it. */
const SLOWDOWN_FACTOR = 0.5;
const MIN_RATE_FRACTION = 1 / 16;
const RECOVERY_FRACTION = 0.1;
/** Float refills land a hair under a whole token. */
const TOKEN_EPSILON = 1e-9;

/**
 * Token bucket shared by every Kraken request of the process. Adaptive: a
 * rate-limit answer halves the rate (down to 1/16 of KRAKEN_RPS) and empties
 * the bucket; each success gives back a tenth of KRAKEN_RPS until the
 * configured rate is reached again.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly capacity: number;
  private rate: number;
  private tokens: number;
  private refilledAt: number;
  /** Callers take tokens one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(KRAKEN_RATE_LIMIT) private readonly options: RateLimitOptions,
    @Inject(KRAKEN_TIMER) private readonly timer: Timer,
  ) {
    this.capacity = options.burst;
    this.rate = options.rps;
    this.tokens = options.burst;
    this.refilledAt = timer.now();
  }

  /** Current requests per second (lower than KRAKEN_RPS after rate-limit answers). */
  get currentRate(): number {
    return this.rate;
  }

  /** Resolves when a request may be sent. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Kraken said "too many requests": slow down and start from an empty bucket. */
  slowDown(): void {
    const floor = this.options.rps * MIN_RATE_FRACTION;
    const next = Math.max(floor, this.rate * SLOWDOWN_FACTOR);
    if (next < this.rate) this.logger.warn(`rate limited by Kraken: slowing to ${next.toFixed(3)} req/s`);
    this.rate = next;
    this.refill();
    this.tokens = 0;
  }

  /** A request succeeded: recover gradually towards KRAKEN_RPS. */
  recover(): void {
    if (this.rate >= this.options.rps) return;
    this.refill();
    this.rate = Math.min(this.options.rps, this.rate + this.options.rps * RECOVERY_FRACTION);
    if (this.rate === this.options.rps) this.logger.log(`Kraken request rate restored to ${this.rate} req/s`);
  }

  private async take(): Promise<void> {
    this.refill();
    while (this.tokens < 1 - TOKEN_EPSILON) {
      await this.timer.sleep(((1 - this.tokens) / this.rate) * 1000);
      this.refill();
    }
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const now = this.timer.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
  }
}
