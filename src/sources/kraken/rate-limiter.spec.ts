import { RateLimiter, Timer } from './rate-limiter';

class FakeTimer implements Timer {
  t = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
}

async function releaseTimes(limiter: RateLimiter, timer: FakeTimer, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await limiter.acquire();
    times.push(Math.round(timer.now()));
  }
  return times;
}

describe('RateLimiter (token bucket)', () => {
  it('lets a full bucket through at once, then one request per 1/rps', async () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter({ rps: 2, burst: 3 }, timer);
    expect(await releaseTimes(limiter, timer, 6)).toEqual([0, 0, 0, 500, 1000, 1500]);
  });

  it('refills while idle, never beyond the burst size', async () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter({ rps: 1, burst: 2 }, timer);
    await releaseTimes(limiter, timer, 2);
    timer.t += 60_000;
    expect(await releaseTimes(limiter, timer, 3)).toEqual([60_000, 60_000, 61_000]);
  });

  it('serves concurrent callers in arrival order at the configured rate', async () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter({ rps: 4, burst: 1 }, timer);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(timer.now()).toBeCloseTo(750);
  });

  it('halves the rate on each slow-down, down to 1/16 of KRAKEN_RPS, and empties the bucket', async () => {
    const timer = new FakeTimer();
    const limiter = new RateLimiter({ rps: 8, burst: 4 }, timer);
    limiter.slowDown();
    expect(limiter.currentRate).toBe(4);
    expect(await releaseTimes(limiter, timer, 2)).toEqual([250, 500]);
    for (let i = 0; i < 10; i++) limiter.slowDown();
    expect(limiter.currentRate).toBe(0.5);
  });

  it('recovers a tenth of KRAKEN_RPS per success, never above it', () => {
    const limiter = new RateLimiter({ rps: 10, burst: 1 }, new FakeTimer());
    limiter.slowDown();
    limiter.slowDown();
    expect(limiter.currentRate).toBe(2.5);
    limiter.recover();
    expect(limiter.currentRate).toBe(3.5);
    for (let i = 0; i < 20; i++) limiter.recover();
    expect(limiter.currentRate).toBe(10);
  });
});
