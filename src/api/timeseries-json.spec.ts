import { TimeseriesResult } from '../timeseries/timeseries.service';
import { timeseriesJson } from './timeseries-json';

const bucket = { ts: 0, time: '1970-01-01T00:00:00.000Z', complete: false, closed: true };

function result(over: Partial<TimeseriesResult>): TimeseriesResult {
  return {
    symbol: 'BTC-USD-SPOT',
    exchange: 'kraken',
    aggregation_window: '1w',
    week_start: 'thursday',
    start_time: '1970-01-01T00:00:00.000Z',
    end_time: '1970-01-08T00:00:00.000Z',
    source_interval_minutes: 1440,
    count: 1,
    coverage: { covered_seconds: 0, expected_seconds: 604_800, open_gaps: 1 },
    data: Object.freeze([bucket]),
    next_cursor: 'abc',
    ...over,
  };
}

describe('timeseriesJson', () => {
  it('writes exactly what JSON.stringify writes, with or without week_start, cursor and buckets', () => {
    const { week_start: _w, ...noWeek } = result({});
    for (const r of [result({}), noWeek, result({ next_cursor: null }), result({ data: [], count: 0 })])
      expect(timeseriesJson(r)).toBe(JSON.stringify(r));
  });

  it("reuses a frozen page's JSON by identity, and never a mutable page's", () => {
    const page = Object.freeze([bucket]);
    expect(timeseriesJson(result({ data: page }))).toContain('"complete":false');
    const mutable = [{ ...bucket }];
    expect(timeseriesJson(result({ data: mutable }))).toContain('"complete":false');
    mutable[0]!.complete = true;
    expect(timeseriesJson(result({ data: mutable }))).toContain('"complete":true');
  });
});
