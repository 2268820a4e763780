import { isoOfSeconds } from './time';

describe('isoOfSeconds', () => {
  it('is toISOString of the instant, for every kind of second', () => {
    const edges = [
      0,
      59,
      86_399,
      86_400,
      Date.UTC(2000, 1, 29, 23, 59, 59) / 1000, // a leap day (a century divisible by 400)
      Date.UTC(2100, 2, 1) / 1000, // the day after a non-leap century's February
      Date.UTC(2024, 11, 31, 23, 59, 59) / 1000,
      253_402_300_799, // 9999-12-31T23:59:59Z
      253_402_300_800, // six-digit years: through Date
      -1,
      -86_401,
      1.5,
      1_700_000_000.25,
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const samples = [...edges, ...Array.from({ length: 5000 }, () => random() * 120 + (random() % 1000))];
    for (const s of samples) expect([s, isoOfSeconds(s)]).toEqual([s, new Date(s * 1000).toISOString()]);
  });
});
