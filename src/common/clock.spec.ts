import { Clock } from './clock';

describe('Clock', () => {
  it('returns the pinned time when CANDLEKEEP_NOW is set, as a fresh Date each call', () => {
    const clock = new Clock(new Date('2026-03-01T12:00:00Z'));
    const a = clock.now();
    a.setFullYear(2000);
    expect(clock.now().toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(clock.nowSeconds()).toBe(Date.UTC(2026, 2, 1, 12) / 1000);
    expect(clock.isPinned).toBe(true);
  });

  it('follows real time otherwise', () => {
    const clock = new Clock();
    const before = Date.now();
    const now = clock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now - before).toBeLessThan(5_000);
    expect(clock.isPinned).toBe(false);
  });
});
