import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CandleSource } from '../common/enums';
import { bigintNumber } from './transformers';

/**
 * "For [start_ts, end_ts] (candle open times, inclusive) this series was read
 * completely from a source and what it had is stored." Candles may be absent
 * inside (no trades). Ranges of one series are disjoint (exclusion constraint).
 */
@Entity('data_coverage_ranges')
export class DataCoverageRange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'asset_id', type: 'integer' })
  assetId!: number;

  @Column({ name: 'interval_minutes', type: 'integer' })
  intervalMinutes!: number;

  @Column({ name: 'start_ts', type: 'timestamptz' })
  startTs!: Date;

  @Column({ name: 'end_ts', type: 'timestamptz' })
  endTs!: Date;

  @Column({ name: 'candle_count', type: 'bigint', default: 0, transformer: bigintNumber })
  candleCount!: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sources!: CandleSource[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** Number of interval slots spanned (inclusive of both ends). */
  get slots(): number {
    return Math.round((this.endTs.getTime() - this.startTs.getTime()) / (this.intervalMinutes * 60_000)) + 1;
  }
}
