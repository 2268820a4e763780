import { bucketSpec } from '../common/aggregation-window';
import { decodeCursor, encodeCursor, parseInstant } from './timeseries-input';
import { InvalidCursorError } from './timeseries.errors';

describe('parseInstant', () => {
  it('takes epoch seconds and ISO-8601, a date or a date-time without offset being UTC', () => {
    expect(parseInstant('1762819200', 'from')).toBe(1_762_819_200);
    expect(parseInstant('2025-11-11', 'from')).toBe(1_762_819_200);
    expect(parseInstant('2025-11-11T00:30', 'from')).toBe(1_762_821_000);
    expect(parseInstant('2025-11-11T01:30:00+01:00', 'from')).toBe(1_762_821_000);
  });

  it('refuses anything else, naming the parameter', () => {
    expect(() => parseInstant('yesterday', 'start_time')).toThrow(/start_time: "yesterday"/);
    expect(() => parseInstant('1e9', 'to')).toThrow(/to:/);
  });
});

describe('paging cursor', () => {
  it('round-trips the last bucket and refuses a cursor of other buckets or a damaged one', () => {
    const hour = bucketSpec('1h');
    const c = encodeCursor(hour, 7200);
    expect(decodeCursor(hour, c)).toBe(7200);
    expect(() => decodeCursor(bucketSpec('1d'), c)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(hour, 'garbage')).toThrow(InvalidCursorError);
  });
});
