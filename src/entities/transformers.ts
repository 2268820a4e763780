import { ValueTransformer } from 'typeorm';

/** bigint columns arrive from pg as strings; counters here stay far below 2^53. */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};
