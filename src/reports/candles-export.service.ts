import { Injectable, Logger } from '@nestjs/common';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { UsageError } from '../common/errors';
import { IntervalMinutes } from '../common/enums';
import { CandleStore, StoredCandle } from '../candles/candle-store';
import { SeriesRef, Span } from '../common/series';
import { isoOfSeconds } from '../common/time';

export const CANDLE_EXPORT_FORMATS = ['csv', 'json'] as const;
export type CandleExportFormat = (typeof CANDLE_EXPORT_FORMATS)[number];

/**
 * CSV columns: Kraken's OHLCVT archive columns in Kraken's order (time = open
 * time in epoch seconds, UTC), then the volume-weighted average price (empty
 * when the source had none, e.g. archives) and the source that wrote the
 * candle (csv, api, trades).
 */
export const CANDLE_CSV_COLUMNS = [
  'time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'trades',
  'vwap',
  'source',
] as const;

/** Rows read from the store per round trip: an export holds one page in memory, whatever its size. */
export const EXPORT_PAGE_SIZE = 10_000;

export interface CandleExportRequest {
  /** Any accepted symbol form (BTC-USD-SPOT, XXBTZUSD, XBTUSD, XBT/USD). */
  symbol: string;
  intervalMinutes: IntervalMinutes;
  /** Inclusive bounds on candle open times; the whole series when omitted. */
  from?: Date;
  to?: Date;
}

export interface CandleExportSummary {
  symbol: string;
  interval: number;
  /** Requested bounds, else the first/last stored candle; null when nothing is stored. */
  from: string | null;
  to: string | null;
  count: number;
}

/** Receives the rendering chunk by chunk; resolves when the chunk may be followed by the next (backpressure). */
export type ExportSink = (chunk: string) => Promise<void>;

/** Far bounds for an open-ended span (epoch seconds). */
const MIN_TS = 0;
const MAX_TS = 253_402_300_799; // 9999-12-31T23:59:59Z

/** Plain decimal notation (1e-7 → 0.0000001) of the shortest round-trip representation: no exponents in exports. */
export function plainNumber(n: number): string {
  const s = String(n);
  // Most prices and volumes have no exponent: no regular expression for them (this runs 5× per exported row).
  if (s.indexOf('e') === -1) return s;
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expText] = m;
  const exp = Number(expText);
  const digits = lead! + frac;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.padEnd(exp + 1, '0')}`;
}

function csvRow(c: StoredCandle): string {
  // A template, not an array joined: one string built per row instead of an array and its parts.
  return (
    `${c.ts},${plainNumber(c.open)},${plainNumber(c.high)},${plainNumber(c.low)},${plainNumber(c.close)},` +
    `${plainNumber(c.volume)},${c.trades},${c.vwap === null ? '' : plainNumber(c.vwap)},${c.source}`
  );
}

function jsonCandle(c: StoredCandle): string {
  return JSON.stringify({
    ts: c.ts,
    time: isoOfSeconds(c.ts),
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    trades: c.trades,
    vwap: c.vwap,
    source: c.source,
  });
}

/**
 * Exports the stored candles of one series as CSV or one JSON object,
 * streamed page by page (EXPORT_PAGE_SIZE rows per read) to a sink, so that
 * memory stays flat however long the series is.
 */
@Injectable()
export class CandlesExportService {
  private readonly logger = new Logger(CandlesExportService.name);

  constructor(
    private readonly catalog: AssetCatalogService,
    private readonly store: CandleStore,
  ) {}

  async export(
    req: CandleExportRequest,
    format: CandleExportFormat,
    sink: ExportSink,
    pageSize = EXPORT_PAGE_SIZE,
  ): Promise<CandleExportSummary> {
    const from = req.from ? Math.ceil(req.from.getTime() / 1000) : MIN_TS;
    const to = req.to ? Math.floor(req.to.getTime() / 1000) : MAX_TS;
    if (from > to) throw new UsageError(`--from ${isoOfSeconds(from)} is after --to ${isoOfSeconds(to)}`);
    const asset = await this.catalog.resolve(req.symbol);
    const series: SeriesRef = { assetId: asset.id, symbol: asset.symbol, intervalMinutes: req.intervalMinutes };
    const span: Span = { from, to };
    const extent = await this.store.extent(series, span);
    const summary: CandleExportSummary = {
      symbol: asset.symbol,
      interval: req.intervalMinutes,
      from: req.from ? isoOfSeconds(from) : extent ? isoOfSeconds(extent.first) : null,
      to: req.to ? isoOfSeconds(to) : extent ? isoOfSeconds(extent.last) : null,
      count: extent?.count ?? 0,
    };

    let written = 0;
    if (format === 'csv') {
      await sink(`${CANDLE_CSV_COLUMNS.join(',')}\n`);
      written = await this.pages(series, span, pageSize, (page) => {
        let text = '';
        for (const c of page) text += `${csvRow(c)}\n`;
        return sink(text);
      });
    } else {
      // {symbol, interval, from, to, count, "candles": [...]} written as it is read.
      await sink(`${JSON.stringify(summary).slice(0, -1)},"candles":[`);
      let first = true;
      written = await this.pages(series, span, pageSize, (page) => {
        const text = (first ? '' : ',') + page.map(jsonCandle).join(',');
        first = false;
        return sink(text);
      });
      await sink(']}\n');
    }
    if (written !== summary.count) {
      // Candles were written to the series while it was exported: the rows are what was read.
      this.logger.warn(
        `${asset.symbol} ${req.intervalMinutes}m: exported ${written} candles, ` +
          `${summary.count} were counted before (concurrent writes)`,
      );
    }
    this.logger.log(`exported ${written} candles of ${asset.symbol} ${req.intervalMinutes}m as ${format}`);
    return summary;
  }

  /** Reads the span in pages of `pageSize` (keyset on ts) and hands each to `emit`; returns the number of rows. */
  private async pages(
    series: SeriesRef,
    span: Span,
    pageSize: number,
    emit: (page: StoredCandle[]) => Promise<void>,
  ): Promise<number> {
    let cursor = span.from;
    let total = 0;
    for (;;) {
      const page = await this.store.readStored(series, { from: cursor, to: span.to }, pageSize);
      if (page.length === 0) break;
      await emit(page);
      total += page.length;
      if (page.length < pageSize) break;
      cursor = page[page.length - 1]!.ts + 1;
    }
    return total;
  }
}
