import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CandleBulkWriter, CandleStore } from '../candles/candle-store';
import { CandleStoreUnusableError } from '../candles/candle-store.errors';
import { Clock } from '../common/clock';
import { SeriesRef, Span } from '../common/series';
import { AppConfig } from '../config/app-config';
import { CoverageRepository } from '../coverage/coverage.repository';
import { SeriesRepository } from '../coverage/series.repository';
import { HeldLock } from '../database/advisory-lock.repository';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { SuspectService } from '../gaps/suspect.service';
import { DiscoveredFile } from './archive-discovery.service';
import { FileDedupService } from './file-dedup.service';
import { FileLedgerRepository } from './file-ledger.repository';
import { RunContext } from './ingest-run';
import { IngestionRejectRepository, StoredReject } from './ingestion-reject.repository';
import { NoTradeAnalyzer } from './no-trade-analyzer';
import { foreignShape, OhlcvtParser, ParseBatch } from './ohlcvt-parser';
import { mergeSummary, RejectSummary, summarise } from './reject-summary';
import { fromSeconds } from '../common/time';

/** Rejected rows are written in batches of this many. */
const REJECT_BATCH = 1000;
/** 9999-12-31T23:59:59Z: an open upper end for store probes. */
const FAR_FUTURE = 253_402_300_799;

/** The run was cancelled or interrupted: the file in hand is rolled back. */
class IngestCancelled extends Error {}

/**
 * A file's content, chunk by chunk. A failure to open or read it says `unreadable:` (the file is FAILED so, its rows
 * rolled back), unlike a failure of the store writing what was read.
 */
async function* contentOf(file: DiscoveredFile): AsyncGenerator<Buffer> {
  const unreadable = (e: unknown) => new Error(`unreadable: ${(e as Error).message}`, { cause: e });
  let source: AsyncIterator<Buffer>;
  try {
    source = (await file.open())[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  } catch (e) {
    throw unreadable(e);
  }
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await source.next();
      } catch (e) {
        throw unreadable(e);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Also when the caller stops early (a store failure, a cancel): the stream is destroyed, the file or member closed.
    await source.return?.();
  }
}

/** A name as PostgreSQL text can hold it: NUL as \x00 (file and member names reach the ledger and the rejects). */
const storable = (name: string) => name.replaceAll('\u0000', '\\x00');
const toDate = (s: number | null) => (s === null ? null : fromSeconds(s));

/**
 * Loads one file into its series: parsed and written in one store transaction, its rejects stored (batched,
 * capped) and summarised, failed whole by the reject policy (too many rejects, empty, a mislabelled interval),
 * else committed; then its coverage merged and recounted, its series expected, its suspect spans flagged.
 */
@Injectable()
export class FileLoaderService {
  private readonly logger = new Logger(FileLoaderService.name);

  constructor(
    private readonly dedup: FileDedupService,
    private readonly rejects: IngestionRejectRepository,
    private readonly ledger: FileLedgerRepository,
    private readonly store: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly expected: SeriesRepository,
    private readonly suspects: SuspectService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Marks the file PROCESSING, then parses and writes it in one store transaction, hashing the very chunks it parses
   * (one read of the file); coverage only after it is committed. A content found COMPLETED once the pass has hashed it
   * rolls the file back and is recorded a duplicate. True when the file's rows are held (loaded, or by the file it
   * repeats).
   */
  async load(
    ctx: RunContext,
    file: DiscoveredFile,
    series: SeriesRef,
    record: FileIngestionRecord,
    claim: HeldLock,
  ): Promise<boolean> {
    record.startProcessing();
    await this.ledger.save(record);
    const { job } = ctx;
    const parser = new OhlcvtParser({ intervalMinutes: series.intervalMinutes, nowSeconds: this.clock.nowSeconds() });
    const noTrade = new NoTradeAnalyzer(series.intervalMinutes * 60, {
      minCandles: this.config.gaps.noTradeSuspectMinCandles,
      minTrades: this.config.gaps.noTradeSuspectTrades,
    });
    const hash = createHash('sha256');
    let crc = 0;
    const batch: ParseBatch = { candles: [], rejects: [] };
    const pendingRejects: StoredReject[] = [];
    // The file's rejects by reason, for the run's output once the file is settled: a duplicate lists none.
    const rejectSummary = new Map<string, RejectSummary>();
    const storableName = storable(file.name);
    let stored = 0;
    let notStored = 0;
    let inserted = false;
    let counted = { read: 0, accepted: 0, rejected: 0 };
    const account = () => {
      job.add('rowsRead', parser.rowsRead - counted.read);
      job.add('rowsIngested', parser.rowsAccepted - counted.accepted);
      job.add('rowsRejected', parser.rowsRejected - counted.rejected);
      const rows = parser.rowsRead - counted.read;
      counted = { read: parser.rowsRead, accepted: parser.rowsAccepted, rejected: parser.rowsRejected };
      return rows;
    };
    const flushRejects = async (force: boolean) => {
      if (pendingRejects.length === 0 || (!force && pendingRejects.length < REJECT_BATCH)) return;
      inserted = true;
      await this.rejects.insert(job.id, record.id, pendingRejects.splice(0));
    };
    // Whether the store held no candle at or after the file's first row before it was written (one cheap probe).
    let nothingStoredFromFirst: boolean | undefined;
    const drain = async (writer: CandleBulkWriter) => {
      if (nothingStoredFromFirst === undefined && batch.candles.length > 0) {
        nothingStoredFromFirst =
          (await this.store.read(series, { from: batch.candles[0]!.ts, to: FAR_FUTURE }, 1)).length === 0;
      }
      for (const c of batch.candles) {
        noTrade.add(c.ts, c.trades);
        const wait = writer.write(c);
        if (wait) await wait;
      }
      batch.candles.length = 0;
      for (const r of batch.rejects) {
        summarise(rejectSummary, file.name, r);
        // Beyond the cap a reject is counted (rows_rejected), not stored: a small ZIP of bad lines cannot fill the
        // disk.
        if (stored < this.config.ingest.maxStoredRejects) {
          pendingRejects.push({ file: storableName, ...r });
          stored++;
        } else notStored++;
      }
      batch.rejects.length = 0;
      await flushRejects(false);
    };

    const writer = await this.store.bulkWriter(series, 'csv');
    const started = Date.now();
    let committed = false;
    let duplicate = false;
    try {
      for await (const chunk of contentOf(file)) {
        if (ctx.attempt.cancelled || ctx.attempt.interrupted) throw new IngestCancelled();
        hash.update(chunk);
        crc = crc32(chunk, crc);
        parser.push(chunk, batch);
        await drain(writer);
        ctx.progress.advance(chunk.length, account());
      }
      parser.end(batch);
      await drain(writer);
      account();
      record.sha256 = hash.digest('hex');
      record.crc32 = crc >>> 0;

      // Held through the commit and the COMPLETED record: of two processes with this content (under two names, two
      // series), the second waits here and then finds it completed.
      const of = await this.dedup.completedWithContent(claim, record.sha256);
      if (of) {
        // Nothing of a duplicate stays: its rows (rolled back), its rejects, its counts.
        duplicate = true;
        await writer.abort();
        if (inserted) await this.rejects.deleteForFile(record.id);
        job.add('rowsRead', -parser.rowsRead);
        job.add('rowsIngested', -parser.rowsAccepted);
        job.add('rowsRejected', -parser.rowsRejected);
        return await this.dedup.skipDuplicate(ctx, record, of, file, true);
      }

      if (notStored) {
        pendingRejects.push({
          file: storableName,
          line: 0,
          reason:
            `rejects_not_stored: ${notStored} more rejected row(s) counted, ` +
            `not stored (INGEST_MAX_STORED_REJECTS=${this.config.ingest.maxStoredRejects})`,
          raw: '',
        });
      }
      await flushRejects(true);

      const counts = {
        rowsRead: parser.rowsRead,
        rowsIngested: parser.rowsAccepted,
        rowsRejected: parser.rowsRejected,
        firstTs: toDate(parser.firstTs),
        lastTs: toDate(parser.lastAcceptedTs),
      };
      if (parser.header) {
        ctx.headers.push(file.name);
        this.logger.log(`${file.name}: header line skipped (${parser.header})`);
      }
      const shape = foreignShape(parser);
      const failure =
        parser.rowsRead === 0
          ? 'empty file: no rows'
          : parser.rowsRejected / parser.rowsRead > ctx.request.maxRejectRatio
            ? `${parser.rowsRejected} of ${parser.rowsRead} rows rejected ` +
              `(${((100 * parser.rowsRejected) / parser.rowsRead).toFixed(1)}% > ` +
              `${ctx.request.maxRejectRatio * 100}%)${shape ? ` — ${shape}` : ''}: none of its rows were kept`
            : parser.rowsAccepted === 0
              ? 'no valid row'
              : noTrade.mislabel(series.intervalMinutes);
      if (failure) {
        await writer.abort();
        // None of a failed file's rows are kept: its valid rows count as rejected too, with one file-level reject
        // saying why.
        job.add('rowsIngested', -parser.rowsAccepted);
        job.add('rowsRejected', parser.rowsAccepted);
        if (parser.rowsRead > 0)
          await this.rejects.insert(job.id, record.id, [
            { file: storableName, line: 0, reason: `file_failed: ${failure}`, raw: '' },
          ]);
        record.fail(failure, { ...counts, rowsIngested: 0, rowsRejected: parser.rowsRead });
        await this.ledger.save(record);
        job.add('filesFailed', 1);
        this.logger.warn(`${file.name}: FAILED: ${failure}`);
        return false;
      }
      const parsed = Date.now();
      const fileSpan = { from: parser.firstTs ?? 0, to: parser.lastAcceptedTs ?? 0 };
      await writer.commit();
      committed = true;
      const stored = Date.now();
      const spans = parser.coverage();
      const whole = spans.length === 1 && spans[0]!.from === fileSpan.from && spans[0]!.to === fileSpan.to;
      const known = whole && nothingStoredFromFirst ? { span: fileSpan, count: parser.rowsAccepted } : null;
      for (const span of spans) {
        await this.coverage.mergeIn(series, span, 'csv', (merged) => this.recount(series, merged, known));
      }
      // The series is expected from the file's first row on; its implausible empty runs are flagged, and suspect
      // spans the file now holds candles for are settled.
      await this.expected.expectFrom([
        { assetId: series.assetId, intervalMinutes: series.intervalMinutes, from: fileSpan.from },
      ]);
      await this.suspects.afterLoad(series, fileSpan, noTrade.suspects(), spans);
      const key = `${series.assetId}/${series.intervalMinutes}`;
      const loaded = ctx.loaded.get(key) ?? { series, spans: [] };
      loaded.spans.push(fileSpan);
      ctx.loaded.set(key, loaded);
      record.complete(counts);
      await this.ledger.save(record);
      job.add('filesDone', 1);
      this.logger.debug(
        `${file.name}: ${parser.rowsAccepted} rows ingested, ${parser.rowsRejected} rejected, read and hashed once ` +
          `(read+hash+parse+write ${parsed - started} ms, commit ${stored - parsed} ms, ` +
          `coverage ${Date.now() - stored} ms)`,
      );
      return true;
    } catch (e) {
      if (!committed) await writer.abort();
      // A duplicate's counts were taken back already: what fails now is recording it.
      const read = duplicate ? 0 : parser.rowsRead;
      if (!duplicate) {
        account();
        if (!committed) {
          job.add('rowsIngested', -parser.rowsAccepted);
          job.add('rowsRejected', parser.rowsAccepted);
        }
      }
      const reason =
        e instanceof IngestCancelled
          ? ctx.attempt.interrupted
            ? `interrupted by ${ctx.attempt.interrupted}: rolled back`
            : 'cancelled'
          : (e as Error).message;
      record.fail(reason, {
        rowsRead: read,
        rowsIngested: committed ? parser.rowsAccepted : 0,
        rowsRejected: committed ? parser.rowsRejected : read,
      });
      await this.ledger.save(record);
      job.add('filesFailed', 1);
      if (!(e instanceof IngestCancelled)) this.logger.error(`${file.name}: FAILED: ${reason}`);
      // The store itself failed, not this file: every later file would too. The run stops (the job FAILED) and the
      // command reports the store's error and code.
      if (e instanceof CandleStoreUnusableError) throw e;
      return false;
    } finally {
      if (!duplicate) mergeSummary(ctx.rejectSummary, rejectSummary);
    }
  }

  /**
   * candle_count of a merged coverage range, from the store. When the file's
   * span held no candles before this file (probed before its first write) and the
   * file covers its span whole, the span now holds exactly the file's
   * accepted rows (distinct, increasing ts inside it): only the parts of the
   * merged range outside it are counted in the store.
   */
  private async recount(series: SeriesRef, merged: Span, known: { span: Span; count: number } | null): Promise<number> {
    if (!known || known.span.from < merged.from || known.span.to > merged.to) return this.store.count(series, merged);
    const step = series.intervalMinutes * 60;
    let n = known.count;
    if (merged.from < known.span.from)
      n += await this.store.count(series, { from: merged.from, to: known.span.from - step });
    if (merged.to > known.span.to) n += await this.store.count(series, { from: known.span.to + step, to: merged.to });
    return n;
  }

  /** The run's loaded spans checked across intervals for no-trade runs, once every file is loaded: how many flagged. */
  crossCheck(ctx: RunContext): Promise<number> {
    return this.suspects.crossCheck([...ctx.loaded.values()]);
  }
}
