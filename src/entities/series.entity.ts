import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A series candlekeep expects: one asset at one interval, with the start of
 * its expected window. The window runs from `expectedFrom` to the last closed
 * candle, so it does not depend on a run's lookback or on when it ran; the
 * uncovered part of it is exactly what the series' gap records stand for.
 */
@Entity('series')
export class Series {
  @PrimaryColumn({ name: 'asset_id', type: 'integer' })
  assetId!: number;

  @PrimaryColumn({ name: 'interval_minutes', type: 'integer' })
  intervalMinutes!: number;

  @Column({ name: 'expected_from', type: 'timestamptz' })
  expectedFrom!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
