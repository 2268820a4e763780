import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CandleSource } from '../common/enums';

/**
 * Row of the postgres candle store's table. Only for schema reads and small
 * look-ups: bulk writes go through the CandleStore's COPY path.
 */
@Entity('candles')
export class CandleRow {
  @PrimaryColumn({ name: 'asset_id', type: 'integer' })
  assetId!: number;

  @PrimaryColumn({ name: 'interval_minutes', type: 'integer' })
  intervalMinutes!: number;

  @PrimaryColumn({ type: 'timestamptz' })
  ts!: Date;

  @Column({ type: 'double precision' }) open!: number;
  @Column({ type: 'double precision' }) high!: number;
  @Column({ type: 'double precision' }) low!: number;
  @Column({ type: 'double precision' }) close!: number;
  @Column({ type: 'double precision', nullable: true }) vwap!: number | null;
  @Column({ type: 'double precision' }) volume!: number;
  @Column({ type: 'integer' }) trades!: number;
  @Column({ type: 'text', default: 'csv' }) source!: CandleSource;
}
