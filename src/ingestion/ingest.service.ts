import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { AssetRepository } from '../assets/asset.repository';
import { AssetCatalogService } from '../assets/asset-catalog.service';
import { TiersService } from '../assets/tiers.service';
import { CandleBulkWriter, CandleStore } from '../candles/candle-store';
import { CandleStoreUnusableError } from '../candles/candle-store.errors';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Asset } from '../entities/asset.entity';
import { IntervalMinutes, Tier } from '../common/enums';
import { FileIngestionRecord } from '../entities/file-ingestion-record.entity';
import { IngestionJob } from '../entities/ingestion-job.entity';
import { CoverageRepository } from '../coverage/coverage.repository';
import { SeriesRepository } from '../coverage/series.repository';
import { AdvisoryLockRepository, HeldLock } from '../database/advisory-lock.repository';
import { LockKeys } from '../database/lock-keys';
import { SuspectService } from '../gaps/suspect.service';
import { ArchiveDiscoveryService, DiscoveredFile, Discovery, SkippedEntry } from './archive-discovery.service';
import { FileLedgerRepository } from './file-ledger.repository';
import { IngestProgress, NO_PROGRESS } from './ingest-progress';
import { jobCounts, JobCounts } from '../jobs/job-counts';
import { IngestionJobRepository, wallClock } from '../jobs/ingestion-job.repository';
import { JobHeartbeat } from '../jobs/job-heartbeat';
import { takeUpCommand } from '../jobs/take-up';
import { IngestionRejectRepository, StoredReject } from './ingestion-reject.repository';
import {
  JobConflictError,
  JobFinishedError,
  JobNotFoundError,
  JobNotResumableError,
  NothingMatchedError,
} from './ingestion.errors';
import { NoTradeAnalyzer } from './no-trade-analyzer';
import { foreignShape, OhlcvtParser, ParseBatch } from './ohlcvt-parser';
import { SeriesRef, Span } from '../common/series';

export const DEFAULT_MAX_REJECT_RATIO = 0.2;
/** Rejected rows are written in batches of this many. */
const REJECT_BATCH = 1000;
/** How many rejects the run's output lists. */
const OUTPUT_REJECTS = 100;
/** 9999-12-31T23:59:59Z: an open upper end for store probes. */
const FAR_FUTURE = 253_402_300_799;

export interface IngestRequest {
  /** Files, ZIPs or directories. */
  paths: string[];
  tier?: Tier;
  intervals?: IntervalMinutes[];
  /** Only the files of these assets (any accepted symbol form). */
  symbols?: string[];
  /** A file whose rejected share exceeds this fails and keeps none of its rows. */
  maxRejectRatio: number;
  /** Aborted (SIGINT/SIGTERM): the file in hand is rolled back and the job left PARTIAL, resumable. */
  signal?: AbortSignal;
}

export interface SeriesSummary {
  symbol: string;
  interval: number;
  first_ts: string | null;
  last_ts: string | null;
  candles: number;
}

/** The `ingest --json` object (issue 3, item 8). */
export interface IngestResult extends JobCounts {
  job_id: string;
  status: string;
  unrecognized: string[];
  /** Entries not followed or refused, with why (symlink loops, dangling links, unreadable entries, hostile ZIP member names). */
  skipped: SkippedEntry[];
  /** Files whose first line was a header (skipped, not a row). */
  headers_skipped: string[];
  /** Rejected rows by file and reason: how many, the first lines, the first candle time when the row had one. */
  reject_summary: RejectSummary[];
  series: SeriesSummary[];
  rejects: StoredReject[];
  /** The signal that stopped the run (the file in hand rolled back, the job PARTIAL), or null. */
  interrupted: string | null;
}

interface RunContext {
  job: IngestionJob;
  request: IngestRequest;
  progress: IngestProgress;
  /** This job's records from an earlier attempt (resume), by file key. */
  previous: Map<string, FileIngestionRecord>;
  /** Job writes (heartbeat timer, file ends, finish), one after another; it says when the job was cancelled. */
  heartbeat: JobHeartbeat;
  /** The signal that asked this run to stop (the job stays resumable), or null. */
  interrupted: string | null;
  series: Map<string, SeriesRef>;
  /** Files whose header line was skipped. */
  headers: string[];
  /** Rejects per file and reason: counts, first lines, first times (what the output lists). */
  rejectSummary: Map<string, RejectSummary>;
  /** The spans of the files loaded by this run, per series (the cross-interval no-trade check looks there). */
  loaded: Map<string, { series: SeriesRef; spans: Span[] }>;
}

class IngestCancelled extends Error {}

export interface RejectSummary {
  file: string;
  reason: string;
  count: number;
  first_lines: number[];
  /** The open time of the first such row that had a readable one (ISO-8601). */
  first_time: string | null;
}

/** Counts a reject under its file and reason code, keeping the first three lines and the first readable time. */
function summarise(
  into: Map<string, RejectSummary>,
  file: string,
  r: { line: number; reason: string; raw: string },
): void {
  const colon = r.reason.indexOf(':');
  const reason = colon > 0 ? r.reason.slice(0, colon) : r.reason;
  const key = `${file}\u0000${reason}`;
  let s = into.get(key);
  if (!s) into.set(key, (s = { file, reason, count: 0, first_lines: [], first_time: null }));
  s.count++;
  if (s.first_lines.length < 3) s.first_lines.push(r.line);
  if (s.first_time === null) {
    const ts = /^(\d{9,11}),/.exec(r.raw)?.[1];
    if (ts) s.first_time = new Date(Number(ts) * 1000).toISOString();
  }
}

/** Adds one file's reject summary to the run's. */
function mergeSummary(into: Map<string, RejectSummary>, from: ReadonlyMap<string, RejectSummary>): void {
  for (const [key, s] of from) {
    const t = into.get(key);
    if (!t) {
      into.set(key, s);
      continue;
    }
    t.count += s.count;
    t.first_lines.push(...s.first_lines.slice(0, 3 - t.first_lines.length));
    t.first_time ??= s.first_time;
  }
}

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

const fileKey = (archive: string | null, path: string) => `${archive ?? ''}\u0000${path}`;
/** A name as PostgreSQL text can hold it: NUL as \x00 (file and member names reach the ledger and the rejects). */
const storable = (name: string) => name.replace(/\u0000/g, '\\x00');
const toDate = (s: number | null) => (s === null ? null : new Date(s * 1000));

/**
 * The archive half of `candlekeep ingest`: discovers files, ledgers each one,
 * skips content already ingested, streams and validates the rest into the
 * CandleStore (one transaction per file), then records coverage — in that
 * order, so that a crash at any point leaves nothing wrong, only work to redo.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly discovery: ArchiveDiscoveryService,
    private readonly ledger: FileLedgerRepository,
    private readonly jobs: IngestionJobRepository,
    private readonly rejects: IngestionRejectRepository,
    private readonly store: CandleStore,
    private readonly coverage: CoverageRepository,
    private readonly expected: SeriesRepository,
    private readonly suspects: SuspectService,
    private readonly locks: AdvisoryLockRepository,
    private readonly catalog: AssetCatalogService,
    private readonly assets: AssetRepository,
    private readonly tiers: TiersService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** A new job over `request`. */
  async ingest(request: IngestRequest, progress: IngestProgress = NO_PROGRESS): Promise<IngestResult> {
    const found = await this.discovery.discover(request.paths);
    try {
      await this.refuseEmptySelection(request, found);
      await this.abandonStaleJobs();
      const job = IngestionJob.create('ingest', {
        paths: request.paths.map((p) => resolve(p)),
        tier: request.tier,
        intervals: request.intervals,
        symbols: request.symbols,
        flags: { maxRejectRatio: request.maxRejectRatio },
      });
      job.start(this.clock.now(), wallClock());
      await this.jobs.insert(job);
      return await this.run(job, request, found, progress);
    } finally {
      found.close();
    }
  }

  /**
   * Files found, none of them selected by --intervals / --tier / --symbols, or a named symbol with no file:
   * say what there was instead of doing nothing (or less than asked).
   */
  private async refuseEmptySelection(request: IngestRequest, found: Discovery): Promise<void> {
    if (found.files.length === 0 || (!request.intervals && !request.tier && !request.symbols)) return;
    const selection = await this.selection(request);
    const matched = new Set<string>();
    for (const file of found.files) {
      const symbol = await selection.select(file);
      if (symbol !== null) matched.add(symbol);
    }
    const unmatched = selection.symbols ? [...selection.symbols].filter((s) => !matched.has(s)) : [];
    if (matched.size > 0 && unmatched.length === 0) return;
    const intervals = [...new Set(found.files.map((f) => f.member.intervalMinutes))].sort((a, b) => a - b);
    const symbols = [...new Set(found.files.map((f) => f.member.standard.symbol))].sort();
    const asked = [
      request.intervals ? `--intervals ${request.intervals.join(',')}` : '',
      request.tier ? `--tier ${request.tier}` : '',
      request.symbols ? `--symbols ${request.symbols.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new NothingMatchedError(
      `${matched.size ? `no file of ${unmatched.join(', ')} matched` : 'no file matched'} ${asked} ` +
        `(found ${found.files.length} file(s) at interval(s) ${intervals.join(', ')}` +
        `${request.symbols ? ` of ${symbols.slice(0, 10).join(', ')}${symbols.length > 10 ? ', …' : ''}` : ''})`,
    );
  }

  /** Selects discovered files by the request's --intervals, --tier and --symbols: `select` gives the file's symbol, or null. */
  private async selection(
    request: IngestRequest,
  ): Promise<{ symbols?: Set<string>; select(file: DiscoveredFile): Promise<string | null> }> {
    const symbols = request.symbols
      ? new Set(await Promise.all(request.symbols.map((s) => this.catalog.standardSymbol(s))))
      : undefined;
    return {
      symbols,
      select: async (file) => {
        if (request.intervals && !request.intervals.includes(file.member.intervalMinutes)) return null;
        // No catalog lookup per file unless a tier or symbols are asked for (a directory may hold thousands).
        if (!request.tier && !symbols) return file.member.standard.symbol;
        const known =
          (await this.assets.findByNativeName(file.member.exchange, file.member.pair)) ??
          (await this.assets.findBySymbol(file.member.standard.symbol));
        if (request.tier && (known?.tier ?? this.tiers.tierOf(file.member.standard.base)) !== request.tier) return null;
        const symbol = known?.symbol ?? file.member.standard.symbol;
        return !symbols || symbols.has(symbol) ? symbol : null;
      },
    };
  }

  /** Resumes an interrupted or partial job: its completed files are kept, the rest is (re)done. */
  async resume(jobId: string, progress: IngestProgress = NO_PROGRESS): Promise<IngestResult> {
    await this.abandonStaleJobs();
    const job = await this.jobs.findByIdOrPrefix(jobId);
    if (!job) throw new JobNotFoundError(`no ingestion job ${jobId}`);
    if (job.kind !== 'ingest') {
      throw new JobNotResumableError(
        `job ${jobId} is a ${job.kind} run: only ingest jobs resume; run ${takeUpCommand(job)} again`,
      );
    }
    if (job.status === 'RUNNING')
      throw new JobConflictError(`job ${jobId} is running (heartbeat ${job.heartbeatAt?.toISOString() ?? 'never'})`);
    if (!job.isResumable)
      throw new JobFinishedError(`job ${jobId} already finished (${job.status}): nothing to resume`);
    const request: IngestRequest = {
      paths: job.params.paths ?? [],
      tier: job.params.tier as Tier | undefined,
      intervals: job.params.intervals as IntervalMinutes[] | undefined,
      symbols: job.params.symbols,
      maxRejectRatio: Number(job.params.flags?.maxRejectRatio ?? DEFAULT_MAX_REJECT_RATIO),
    };
    const found = await this.discovery.discover(request.paths);
    try {
      const previousStatus = job.status;
      job.start(this.clock.now(), wallClock());
      if (!(await this.jobs.writeIf(job, previousStatus)))
        throw new JobConflictError(`job ${jobId} changed while resuming`);
      return await this.run(job, request, found, progress);
    } finally {
      found.close();
    }
  }

  /**
   * RUNNING jobs whose heartbeat stopped (kill -9, crash) become PARTIAL; their unfinished files FAILED.
   * Silent for more than `maxSilenceMs` (default 3 heartbeats; the recover-stale-jobs task passes STALE_JOB_MINUTES).
   */
  async abandonStaleJobs(maxSilenceMs = 3 * this.config.jobs.heartbeatMs): Promise<number> {
    const now = wallClock();
    const stale = await this.jobs.findStaleRunning(new Date(now.getTime() - maxSilenceMs));
    for (const job of stale) {
      job.markAbandoned(now);
      if (await this.jobs.writeIf(job, 'RUNNING')) {
        await this.ledger.failProcessing(job.id, 'interrupted: the job stopped before this file was finished');
        this.logger.warn(`job ${job.id} was abandoned (${job.error}); take it up with \`${takeUpCommand(job)}\``);
      }
    }
    // A job that failed outright (its store went down, say) may have left a file behind it unfinished.
    const orphans = await this.ledger.failOrphans('interrupted: its job ended before this file was finished');
    if (orphans) this.logger.warn(`${orphans} file record(s) left unfinished by ended jobs marked FAILED`);
    return stale.length;
  }

  private async run(
    job: IngestionJob,
    request: IngestRequest,
    found: Discovery,
    progress: IngestProgress,
  ): Promise<IngestResult> {
    const ctx: RunContext = {
      job,
      request,
      progress,
      previous: new Map(),
      heartbeat: new JobHeartbeat(this.jobs, job, 'after rolling back the current file'),
      interrupted: null,
      series: new Map(),
      headers: [],
      rejectSummary: new Map(),
      loaded: new Map(),
    };
    const { heartbeat } = ctx;
    for (const r of await this.ledger.forJob(job.id)) ctx.previous.set(fileKey(r.archive, r.path), r);
    heartbeat.start(this.config.jobs.heartbeatMs);
    const interrupt = () => (ctx.interrupted ??= String(request.signal?.reason ?? 'a signal'));
    if (request.signal?.aborted) interrupt();
    request.signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const selected: Array<{ file: DiscoveredFile; asset: Asset }> = [];
      const selection = await this.selection(request);
      for (const file of found.files) {
        if ((await selection.select(file)) === null) continue;
        selected.push({ file, asset: await this.catalog.findOrCreateFromPairName(file.member.pair) });
      }
      for (const c of [
        'filesTotal',
        'filesDone',
        'filesSkipped',
        'filesFailed',
        'rowsRead',
        'rowsIngested',
        'rowsRejected',
      ] as const)
        job[c] = 0;
      job.filesTotal = selected.length;
      await heartbeat.write();
      progress.begin({ files: selected.length, bytes: selected.reduce((n, s) => n + s.file.sizeBytes, 0) });
      for (const { file, asset } of selected) {
        if (heartbeat.cancelled || ctx.interrupted) break;
        const series: SeriesRef = {
          assetId: asset.id,
          symbol: asset.symbol,
          intervalMinutes: file.member.intervalMinutes,
        };
        progress.fileStarted(file.name);
        // A series is the run's (and expected) only through a file that holds rows of it: a FAILED file registers none.
        if (await this.ingestFile(ctx, file, series)) ctx.series.set(`${asset.id}/${series.intervalMinutes}`, series);
        progress.fileFinished();
        await heartbeat.write();
      }
      if (!heartbeat.cancelled) await this.suspects.crossCheck([...ctx.loaded.values()]);
      heartbeat.stop();
      // Interrupted: PARTIAL whatever was done, so `jobs resume` takes it up (the rolled-back file first).
      await heartbeat.write(() => {
        job.addRunTime(heartbeat.elapsedMs);
        job.finish(this.clock.now(), ctx.interrupted !== null, wallClock());
      });
    } catch (e) {
      heartbeat.stop();
      if (!heartbeat.cancelled && !job.isTerminal) {
        await heartbeat
          .write(() => {
            job.addRunTime(heartbeat.elapsedMs);
            job.fail(this.clock.now(), (e as Error).message);
          })
          .catch(() => undefined);
      }
      await this.ledger.failProcessing(job.id, `interrupted: ${(e as Error).message}`).catch(() => undefined);
      throw e;
    } finally {
      heartbeat.stop();
      request.signal?.removeEventListener('abort', interrupt);
      progress.end();
    }
    if (heartbeat.cancelled) job.status = 'CANCELLED';
    return this.result(ctx, found.unrecognized, found.skipped);
  }

  private async ingestFile(ctx: RunContext, file: DiscoveredFile, series: SeriesRef): Promise<boolean> {
    const { job } = ctx;
    const earlier = ctx.previous.get(fileKey(file.archive, file.path));
    if (earlier?.status === 'COMPLETED') {
      job.add('filesDone', 1);
      job.add('rowsRead', earlier.rowsRead);
      job.add('rowsIngested', earlier.rowsIngested);
      job.add('rowsRejected', earlier.rowsRejected);
      ctx.progress.advance(file.sizeBytes, 0);
      return true;
    }
    if (earlier?.status === 'SKIPPED_DUPLICATE') {
      job.add('filesSkipped', 1);
      ctx.progress.advance(file.sizeBytes, 0);
      return true;
    }
    if (earlier) await this.rejects.deleteForFile(earlier.id);
    const record =
      earlier ??
      this.ledger.newRecord({
        jobId: job.id,
        archive: file.archive,
        path: file.path,
        sizeBytes: file.sizeBytes,
        mtimeMs: file.mtimeMs,
        crc32: file.crc32,
        assetId: series.assetId,
        intervalMinutes: series.intervalMinutes,
      });
    Object.assign(record, {
      sizeBytes: file.sizeBytes,
      mtimeMs: file.mtimeMs,
      rowsRead: 0,
      rowsIngested: 0,
      rowsRejected: 0,
    });

    // Fast pre-check, no content read: same loose file (path, size, mtime) or same member CRC-32 and size.
    const seen = await this.knownFile(file);
    if (seen) return this.skipDuplicate(ctx, record, seen, file);

    // One writer per series across processes: a second process waits, then finds the file completed (a duplicate)
    // or the series' new candles (so its direct-COPY probe sees them). The content is known only once the file is
    // read, so its claim is taken by load(), after the pass.
    const claimed = await this.locks.withLock(
      LockKeys.series(series),
      async (claim) => {
        // Another process may have completed this very file while this one waited: still skipped unread.
        const done = await this.knownFile(file);
        if (done) return this.skipDuplicate(ctx, record, done, file);
        record.startProcessing();
        await this.ledger.save(record);
        return this.load(ctx, file, series, record, claim);
      },
      { waitMs: Number.POSITIVE_INFINITY },
    );
    return claimed?.value ?? false;
  }

  /** A completed file this one is known to repeat without reading it: same loose file (path, size, mtime) or same member CRC-32 and size. */
  private knownFile(file: DiscoveredFile): Promise<FileIngestionRecord | null> {
    if (file.archive === null && file.mtimeMs !== null)
      return this.ledger.findCompletedByStat(file.path, file.sizeBytes, file.mtimeMs);
    if (file.crc32 !== null) return this.ledger.findCompletedByCrc(file.crc32, file.sizeBytes);
    return Promise.resolve(null);
  }

  /** Records the file as a duplicate of `of`; true: its rows are held (by `of`). `read`: its content was streamed already (progress advanced). */
  private async skipDuplicate(
    ctx: RunContext,
    record: FileIngestionRecord,
    of: FileIngestionRecord,
    file: DiscoveredFile,
    read = false,
  ): Promise<true> {
    record.sha256 = of.sha256;
    record.crc32 ??= of.crc32;
    record.skipDuplicate(`${of.id}`);
    await this.ledger.save(record);
    ctx.job.add('filesSkipped', 1);
    if (!read) ctx.progress.advance(file.sizeBytes, 0);
    this.logger.debug(
      `${file.name}: already ingested (file record ${of.id}), skipped${read ? ' after reading it: its writes rolled back' : ''}`,
    );
    return true;
  }

  /**
   * Parses and writes one file in one store transaction, hashing the very chunks it parses (one read of the file);
   * coverage only after it is committed. A content found COMPLETED once the pass has hashed it rolls the file back
   * and is recorded a duplicate. True when the file's rows are held (loaded, or by the file it repeats).
   */
  private async load(
    ctx: RunContext,
    file: DiscoveredFile,
    series: SeriesRef,
    record: FileIngestionRecord,
    claim: HeldLock,
  ): Promise<boolean> {
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
        // Beyond the cap a reject is counted (rows_rejected), not stored: a small ZIP of bad lines cannot fill the disk.
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
        if (ctx.heartbeat.cancelled || ctx.interrupted) throw new IngestCancelled();
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
      await claim.hold(LockKeys.content(record.sha256));
      const of = await this.ledger.findCompletedBySha(record.sha256);
      if (of) {
        // Nothing of a duplicate stays: its rows (rolled back), its rejects, its counts.
        duplicate = true;
        await writer.abort();
        if (inserted) await this.rejects.deleteForFile(record.id);
        job.add('rowsRead', -parser.rowsRead);
        job.add('rowsIngested', -parser.rowsAccepted);
        job.add('rowsRejected', -parser.rowsRejected);
        return await this.skipDuplicate(ctx, record, of, file, true);
      }

      if (notStored) {
        pendingRejects.push({
          file: storableName,
          line: 0,
          reason: `rejects_not_stored: ${notStored} more rejected row(s) counted, not stored (INGEST_MAX_STORED_REJECTS=${this.config.ingest.maxStoredRejects})`,
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
            ? `${parser.rowsRejected} of ${parser.rowsRead} rows rejected (${((100 * parser.rowsRejected) / parser.rowsRead).toFixed(1)}% > ${ctx.request.maxRejectRatio * 100}%)${shape ? ` — ${shape}` : ''}: none of its rows were kept`
            : parser.rowsAccepted === 0
              ? 'no valid row'
              : noTrade.mislabel(series.intervalMinutes);
      if (failure) {
        await writer.abort();
        // None of a failed file's rows are kept: its valid rows count as rejected too, with one file-level reject saying why.
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
          `(read+hash+parse+write ${parsed - started} ms, commit ${stored - parsed} ms, coverage ${Date.now() - stored} ms)`,
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
          ? ctx.interrupted
            ? `interrupted by ${ctx.interrupted}: rolled back`
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

  private async result(ctx: RunContext, unrecognized: string[], skipped: SkippedEntry[]): Promise<IngestResult> {
    const { job } = ctx;
    const series: SeriesSummary[] = [];
    // What the series now holds, from its coverage ranges (their candle counts are recounted from the store
    // on every merge): a count(*) over a freshly loaded series would cost seconds per ten million candles.
    for (const s of [...ctx.series.values()].sort(
      (a, b) => a.symbol.localeCompare(b.symbol) || a.intervalMinutes - b.intervalMinutes,
    )) {
      const ranges = await this.coverage.listForSeries(s);
      series.push({
        symbol: s.symbol,
        interval: s.intervalMinutes,
        first_ts: ranges.length ? ranges[0]!.startTs.toISOString() : null,
        last_ts: ranges.length ? ranges[ranges.length - 1]!.endTs.toISOString() : null,
        candles: ranges.reduce((n, r) => n + r.candleCount, 0),
      });
    }
    return {
      job_id: job.id,
      status: job.status,
      ...jobCounts(job),
      unrecognized,
      skipped,
      headers_skipped: ctx.headers,
      reject_summary: [...ctx.rejectSummary.values()],
      series,
      rejects: await this.rejects.listForJob(job.id, OUTPUT_REJECTS),
      interrupted: ctx.interrupted,
    };
  }
}
