import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { AssetCategory, Tier } from '../common/enums';

@Entity('assets')
@Unique('uq_assets_exchange_native_symbol', ['exchange', 'nativeSymbol'])
@Unique('uq_assets_exchange_symbol', ['exchange', 'symbol'])
export class Asset {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'text', default: 'kraken' })
  exchange!: string;

  /** Standard BASE-QUOTE-TYPE, e.g. BTC-USD-SPOT. */
  @Column({ type: 'text' })
  symbol!: string;

  @Column({ type: 'text' })
  base!: string;

  @Column({ type: 'text' })
  quote!: string;

  @Column({ name: 'instrument_type', type: 'text', default: 'SPOT' })
  instrumentType!: string;

  /** Kraken's pair key, e.g. XXBTZUSD. */
  @Column({ name: 'native_symbol', type: 'text' })
  nativeSymbol!: string;

  /** Kraken's altname, e.g. XBTUSD (archive member names use it). */
  @Column({ type: 'text', nullable: true })
  altname!: string | null;

  /** Kraken's websocket name, e.g. XBT/USD. */
  @Column({ type: 'text', nullable: true })
  wsname!: string | null;

  @Column({ type: 'text', default: 'crypto' })
  category!: AssetCategory;

  @Column({ type: 'text', default: 'TIER4' })
  tier!: Tier;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ name: 'catalog_verified', type: 'boolean', default: false })
  catalogVerified!: boolean;

  /**
   * Held from archives but not listed by Kraken (its last `assets sync` did not find it): kept and reported,
   * never sent to the API. Back to false when Kraken lists it again.
   */
  @Column({ name: 'archive_only', type: 'boolean', default: false })
  archiveOnly!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
