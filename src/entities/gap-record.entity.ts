import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CLOSED_GAP_STATUSES, Fillability, GapKind, GapStatus } from '../common/enums';
import { SeriesKey, Span } from '../common/series';
import { StateTransitionError } from './state-transition.error';
import { bigintNumber } from './transformers';
import { toSeconds } from '../common/time';

/**
 * A span [start_ts, end_ts] (candle open times, inclusive) of a series: kind
 * `gap`, a part of its expected window that no coverage covers; kind
 * `suspect`, a covered span without candles whose "no trades" is
 * contradicted, to verify at the source.
 */
@Entity('gap_records')
@Index('uq_gap_records_open_start', ['assetId', 'intervalMinutes', 'startTs'], {
  unique: true,
  where: "status NOT IN ('FILLED', 'VERIFIED_EMPTY', 'MERGED')",
})
export class GapRecord {
  /**
   * A new record (no id yet) of kind `gap` standing for an uncovered `span` of the series, as detection found it at
   * `now`; `archiveHint` names the archive of an ARCHIVE_ONLY span.
   */
  static detected(
    series: SeriesKey,
    span: Span,
    fillability: Fillability,
    now: Date,
    archiveHint: string | null,
  ): GapRecord {
    return GapRecord.opened(series, 'gap', 'DETECTED', null, span, fillability, now, archiveHint);
  }

  /**
   * A new record (no id yet) of kind `suspect`: a covered span without candles whose "no trades" `reason` contradicts.
   */
  static suspected(
    series: SeriesKey,
    span: Span,
    fillability: Fillability,
    reason: string,
    now: Date,
    archiveHint: string | null,
  ): GapRecord {
    return GapRecord.opened(series, 'suspect', 'SUSPECT', reason, span, fillability, now, archiveHint);
  }

  private static opened(
    series: SeriesKey,
    kind: GapKind,
    status: GapStatus,
    reason: string | null,
    span: Span,
    fillability: Fillability,
    now: Date,
    archiveHint: string | null,
  ): GapRecord {
    const gap = new GapRecord();
    gap.assetId = series.assetId;
    gap.intervalMinutes = series.intervalMinutes;
    gap.kind = kind;
    gap.setSpan(span, fillability, archiveHint);
    gap.status = status;
    gap.attempts = 0;
    gap.candlesFilled = 0;
    gap.reason = reason;
    gap.lastError = null;
    gap.cursor = null;
    gap.nextAttemptAt = null;
    gap.detectedAt = now;
    gap.resolvedAt = null;
    return gap;
  }

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

  @Column({ name: 'missing_intervals', type: 'bigint', default: 0, transformer: bigintNumber })
  missingIntervals!: number;

  @Column({ type: 'text', default: 'ARCHIVE_ONLY' })
  fillability!: Fillability;

  @Column({ type: 'text', default: 'DETECTED' })
  status!: GapStatus;

  @Column({ type: 'text', default: 'gap' })
  kind!: GapKind;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'candles_filled', type: 'bigint', default: 0, transformer: bigintNumber })
  candlesFilled!: number;

  /** Trades paging cursor (Kraken `last`, nanoseconds) so an interrupted fill resumes. */
  @Column({ type: 'text', nullable: true })
  cursor!: string | null;

  @Column({ name: 'archive_hint', type: 'text', nullable: true })
  archiveHint!: string | null;

  @Column({ name: 'detected_at', type: 'timestamptz', default: () => 'now()' })
  detectedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  /** A FAILED record is retried by no process before this time (exponential backoff over its attempts). */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Closed: filled, proven empty or merged; it no longer stands for a span. */
  get isResolved(): boolean {
    return CLOSED_GAP_STATUSES.includes(this.status);
  }

  /** The status a record returns to when its work starts over: DETECTED, or SUSPECT for a suspect span. */
  get initialStatus(): GapStatus {
    return this.kind === 'suspect' ? 'SUSPECT' : 'DETECTED';
  }

  private assertOpen(action: string): void {
    if (this.isResolved) throw new StateTransitionError(`gap ${this.id} is ${this.status}; cannot ${action}`);
  }

  /** Not columns: how startFilling() found the record, so an attempt that never reached the source can be undone. */
  private before: { status: GapStatus; cursor: string | null } | null = null;

  startFilling(): void {
    this.assertOpen('start filling');
    this.before = { status: this.status, cursor: this.cursor };
    this.status = 'FILLING';
    this.attempts += 1;
  }

  /**
   * Undoes startFilling() when the source could not be reached at all: the record is as it was and the
   * attempt is not counted — unless a page had already moved its cursor, which is kept (PARTIAL, resumable).
   */
  abandonAttempt(): void {
    if (this.status !== 'FILLING' || this.before === null)
      throw new StateTransitionError(`gap ${this.id} is ${this.status}, not an attempt to abandon`);
    if (this.cursor !== this.before.cursor) {
      this.releaseStuck();
    } else {
      this.status = this.before.status;
      this.attempts = Math.max(0, this.attempts - 1);
    }
    this.before = null;
  }

  /** Only after the store was re-checked and coverage spans the gap; zero candles is never "filled". */
  markFilled(candles: number, now: Date): void {
    this.assertOpen('mark filled');
    if (!(candles > 0)) {
      throw new StateTransitionError(
        `gap ${this.id}: ${candles} candles cannot mark it FILLED (use markVerifiedEmpty)`,
      );
    }
    this.candlesFilled += candles;
    this.status = 'FILLED';
    this.resolvedAt = now;
    this.lastError = null;
  }

  /** The source proved there were no trades in the span. */
  markVerifiedEmpty(now: Date, reason: string): void {
    this.assertOpen('mark verified empty');
    this.status = 'VERIFIED_EMPTY';
    this.reason = reason;
    this.resolvedAt = now;
    this.lastError = null;
  }

  /** Part of the span was filled; the rest remains (the record may be re-spanned by the next detection). */
  markPartial(candles: number, reason: string, cursor?: string | null): void {
    this.assertOpen('mark partial');
    this.candlesFilled += candles;
    this.status = 'PARTIAL';
    this.reason = reason;
    if (cursor !== undefined) this.cursor = cursor;
  }

  markUnfillable(reason: string): void {
    this.assertOpen('mark unfillable');
    if (!reason) throw new StateTransitionError(`gap ${this.id}: UNFILLABLE needs a reason`);
    this.status = 'UNFILLABLE';
    this.reason = reason;
  }

  /** Failed; no process retries it before `retryAt` (see GapRetryPolicy). */
  markFailed(error: string, retryAt: Date | null = null): void {
    this.assertOpen('mark failed');
    this.status = 'FAILED';
    this.lastError = error;
    this.nextAttemptAt = retryAt;
  }

  /**
   * A FILLING gap whose filler vanished goes back to DETECTED (SUSPECT), or PARTIAL when it has a cursor to resume
   * from.
   */
  releaseStuck(): void {
    if (this.status !== 'FILLING') throw new StateTransitionError(`gap ${this.id} is ${this.status}, not FILLING`);
    if (this.cursor !== null) {
      this.status = 'PARTIAL';
      this.reason = `taken over after its filler stopped; resumes from cursor ${this.cursor}`;
    } else {
      this.status = this.initialStatus;
    }
  }

  /** A user chose not to fill it: it keeps standing for its span, counted apart. */
  ignore(now: Date, reason: string): void {
    this.assertOpen('ignore');
    if (this.status === 'FILLING')
      throw new StateTransitionError(`gap ${this.id} is being filled; cannot ignore it now`);
    if (!reason) throw new StateTransitionError(`gap ${this.id}: IGNORED needs a reason`);
    this.status = 'IGNORED';
    this.reason = reason;
    this.resolvedAt = now;
  }

  /**
   * Back to work: an IGNORED, UNFILLABLE or FAILED record (attempts and backoff reset), or a verified-empty suspect.
   */
  reopen(): void {
    const reopenable =
      this.status === 'IGNORED' ||
      this.status === 'UNFILLABLE' ||
      this.status === 'FAILED' ||
      (this.kind === 'suspect' && this.status === 'VERIFIED_EMPTY');
    if (!reopenable)
      throw new StateTransitionError(
        `gap ${this.id} is ${this.status}; only IGNORED, UNFILLABLE, ` +
          `FAILED records and verified suspects can be reopened`,
      );
    this.status = this.initialStatus;
    this.reason = null;
    this.lastError = null;
    this.attempts = 0;
    this.nextAttemptAt = null;
    this.resolvedAt = null;
  }

  /**
   * A new record for a further uncovered part of an IGNORED record's span (new coverage split it): ignored too,
   * for the same reason and since the same time.
   */
  splitOff(span: Span, fillability: Fillability, now: Date, archiveHint: string | null): GapRecord {
    if (this.status !== 'IGNORED') throw new StateTransitionError(`gap ${this.id} is ${this.status}, not IGNORED`);
    const part = GapRecord.detected(this, span, fillability, now, archiveHint);
    part.status = this.status;
    part.reason = this.reason;
    part.resolvedAt = this.resolvedAt;
    return part;
  }

  /**
   * Re-spans the record to the uncovered `span` it now stands for (coverage shrank it, or the OHLC window moved on);
   * false when nothing changed (so nothing is written).
   */
  respan(span: Span, fillability: Fillability, archiveHint: string | null): boolean {
    const from = toSeconds(this.startTs);
    const to = toSeconds(this.endTs);
    if (from === span.from && to === span.to && this.fillability === fillability) return false;
    if (this.fillability !== fillability && this.status !== 'IGNORED') {
      // A different source now applies (the OHLC window moved on, or trades backfill was switched).
      this.status = this.initialStatus;
      this.reason = null;
      this.cursor = null;
      this.nextAttemptAt = null;
    }
    if (from !== span.from) this.cursor = null; // a trades cursor belongs to the old start
    this.setSpan(span, fillability, archiveHint);
    return true;
  }

  /**
   * Splits the record at `at` (aligned up to the interval): this record keeps [start, boundary), the new one (no id
   * yet, in its first state) takes [boundary, end] and the trades cursor when it points there. Null when the boundary
   * is not inside the span (nothing to split).
   */
  splitAt(at: number, now: Date): GapRecord | null {
    const step = this.intervalMinutes * 60;
    const boundary = Math.ceil(at / step) * step;
    const from = toSeconds(this.startTs);
    const to = toSeconds(this.endTs);
    if (boundary <= from || boundary > to) return null;
    const recent = GapRecord.opened(
      this,
      this.kind,
      this.initialStatus,
      null,
      { from: boundary, to },
      this.fillability,
      now,
      null,
    );
    // The trades cursor (nanoseconds) goes with the part it points into.
    if (this.cursor !== null && Number(BigInt(this.cursor) / 1_000_000_000n) >= boundary - 1) {
      recent.cursor = this.cursor;
      this.cursor = null;
    }
    this.setSpan({ from, to: boundary - step }, this.fillability, this.archiveHint);
    return recent;
  }

  /** Another source fills the span now (a suspect: the OHLC window moved on, or trades backfill was switched). */
  reroute(fillability: Fillability, archiveHint: string | null): void {
    this.fillability = fillability;
    this.archiveHint = fillability === 'ARCHIVE_ONLY' ? archiveHint : null;
  }

  /**
   * Its whole span is covered now: FILLED with the `candles` the store holds there, or VERIFIED_EMPTY when it holds
   * none (a source that had no trade in the span). An IGNORED record is settled like any other: its IGNORED no
   * longer applies once an archive covered the span.
   */
  settleCovered(candles: number, now: Date): void {
    if (this.status === 'IGNORED') this.status = this.initialStatus;
    if (candles > 0) this.markFilled(candles, now);
    else this.markVerifiedEmpty(now, 'covered by a source that had no trade in the span');
  }

  /** Absorbed by the adjacent record `into` of the same fillability, which now stands for this span too. */
  mergeInto(into: GapRecord, now: Date): void {
    this.assertOpen('merge');
    this.status = 'MERGED';
    this.reason = `merged into gap ${into.id}`;
    this.resolvedAt = now;
  }

  private setSpan(span: Span, fillability: Fillability, archiveHint: string | null): void {
    const step = this.intervalMinutes * 60;
    this.startTs = new Date(span.from * 1000);
    this.endTs = new Date(span.to * 1000);
    this.fillability = fillability;
    this.missingIntervals = span.to < span.from ? 0 : Math.floor((span.to - span.from) / step) + 1;
    this.archiveHint = fillability === 'ARCHIVE_ONLY' ? archiveHint : null;
  }
}
