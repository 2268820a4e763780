import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, ingest, t, writePieces } from './ingest';

/** Kraken's daily archives end 2025-03-31: "now" is just after (the last closed daily candle is 2025-03-31). */
export const REPORT_NOW = '2025-04-01T00:30:00Z';

/**
 * The report scenario, ingested with `ingest --no-api` at REPORT_NOW (so gaps are detected, nothing filled):
 * - TIER1 BTC-USD-SPOT 1440: the real daily archive without 2020-01-01..03-31, 2023-03-01..06-30 and
 *   2024-10-01..12-31 (the middle one straddles the OHLC window start, 2023-04-13);
 * - TIER1 BTC-CAD-SPOT 1440: the whole real daily archive (complete);
 * - TIER4 STORJ-USD-SPOT 60: the real hourly archive, ending 2020-09-30 23:00 (stale ever since).
 */
export async function ingestReportScenario(url: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-report-'));
  try {
    writePieces(join(dir, 'usd'), 'XBTUSD_1440.csv', [
      [0, t('2020-01-01')],
      [t('2020-04-01'), t('2023-03-01')],
      [t('2023-07-01'), t('2024-10-01')],
      [t('2025-01-01'), t('2026-01-01')],
    ]);
    const { out } = await ingest(
      url,
      [
        '--csv',
        join(dir, 'usd'),
        '--csv',
        join(FIXTURES, 'XBTCAD_1440.csv'),
        '--csv',
        join(FIXTURES, 'aironav-bitcoin', 'STORJUSD_60.csv'),
      ],
      { CANDLEKEEP_NOW: REPORT_NOW },
    );
    if (out.files_ingested !== 6)
      throw new Error(`report scenario: expected 6 files ingested, got ${JSON.stringify(out)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
