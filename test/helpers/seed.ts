import { Client } from 'pg';

/** Direct SQL seeding for task tests: assets, coverage ranges, gap records, jobs. */
export class Seed {
  constructor(readonly pg: Client) {}

  async asset(
    symbol: string,
    native: string,
    altname: string,
    opts: { tier?: string; category?: string } = {},
  ): Promise<number> {
    const [base, quote] = symbol.split('-');
    const r = await this.pg.query<{ id: number }>(
      `INSERT INTO assets (symbol, base, quote, native_symbol, altname, tier, category) ` +
        `VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [symbol, base, quote, native, altname, opts.tier ?? 'TIER1', opts.category ?? 'crypto'],
    );
    return r.rows[0]!.id;
  }

  /** A coverage range; the series is expected from it on, as an ingest would record. */
  async coverage(assetId: number, interval: number, from: string, to: string): Promise<void> {
    await this.pg.query(
      `INSERT INTO data_coverage_ranges (asset_id, interval_minutes, start_ts, end_ts, sources) ` +
        `VALUES ($1, $2, $3, $4, '{csv}')`,
      [assetId, interval, from, to],
    );
    await this.expect(assetId, interval, from);
  }

  /** The series is expected from `from` on (or earlier, if it already was). */
  async expect(assetId: number, interval: number, from: string): Promise<void> {
    await this.pg.query(
      `INSERT INTO series (asset_id, interval_minutes, expected_from) VALUES ($1, $2, $3)
       ON CONFLICT (asset_id, interval_minutes) DO UPDATE ` +
        `SET expected_from = LEAST(series.expected_from, EXCLUDED.expected_from)`,
      [assetId, interval, from],
    );
  }

  async gap(
    assetId: number,
    interval: number,
    from: string,
    to: string,
    status: string,
    resolvedAt: string | null = null,
    fillability = 'API_OHLC',
  ): Promise<number> {
    const r = await this.pg.query<{ id: number }>(
      `INSERT INTO gap_records (asset_id, interval_minutes, start_ts, end_ts, ` +
        `missing_intervals, fillability, status, resolved_at, reason)
       VALUES ($1, $2, $3, $4, 1, $5, $6, $7, CASE WHEN $6 = 'UNFILLABLE' THEN 'test' END) RETURNING id`,
      [assetId, interval, from, to, fillability, status, resolvedAt],
    );
    await this.expect(assetId, interval, from);
    return r.rows[0]!.id;
  }

  async gapStatuses(): Promise<Record<number, string>> {
    const r = await this.pg.query<{ id: number; status: string }>(`SELECT id, status FROM gap_records ORDER BY id`);
    return Object.fromEntries(r.rows.map((x) => [x.id, x.status]));
  }
}
