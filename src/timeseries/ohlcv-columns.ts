import { BucketView } from './bucket-completeness';

/** The buckets as columns for charting (TradingView-UDF-like): null prices where a placeholder has none. */
export interface OhlcvColumns {
  s: 'ok' | 'no_data';
  t: number[];
  o: Array<number | null>;
  h: Array<number | null>;
  l: Array<number | null>;
  c: Array<number | null>;
  v: Array<number | null>;
  complete: boolean[];
  next_cursor: string | null;
}

export function toOhlcvColumns(data: readonly BucketView[], nextCursor: string | null): OhlcvColumns {
  const col = (pick: (b: BucketView) => number | undefined) => data.map((b) => pick(b) ?? null);
  return {
    s: data.length ? 'ok' : 'no_data',
    t: data.map((b) => b.ts),
    o: col((b) => ('open' in b ? b.open : undefined)),
    h: col((b) => ('high' in b ? b.high : undefined)),
    l: col((b) => ('low' in b ? b.low : undefined)),
    c: col((b) => ('close' in b ? b.close : undefined)),
    v: col((b) => ('volume' in b ? b.volume : undefined)),
    complete: data.map((b) => b.complete),
    next_cursor: nextCursor,
  };
}
