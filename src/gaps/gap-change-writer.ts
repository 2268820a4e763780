import { PoolClient } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import {
  BinaryCopyStream,
  int4,
  int8,
  nullField,
  textField,
  textFieldBytes,
  timestamptz,
  tupleStart,
} from '../database/binary-copy';
import { GapRecord } from '../entities/gap-record.entity';

/** From batches of this many records on, the ids of the next batch are reserved ahead (see takeIds). */
const PREFETCH_FROM = 1000;
/** Rows per UPDATE … FROM unnest statement (parameters are arrays: one round trip per chunk). */
const UPDATE_CHUNK = 20_000;
/** Fixed part of one gap tuple: field count, 18 length words, int4 ×5, int8 ×2, timestamptz ×5. */
const GAP_TUPLE_FIXED = 2 + 18 * 4 + 5 * 4 + 2 * 8 + 5 * 8;

const seconds = (d: Date | null | undefined): number | null => (d ? d.getTime() / 1000 : null);

/** Upper bound of the bytes `encode` writes for a record. */
function tupleBytes(g: GapRecord): number {
  return (
    GAP_TUPLE_FIXED +
    textFieldBytes(g.fillability) +
    textFieldBytes(g.status) +
    textFieldBytes(g.kind ?? 'gap') +
    textFieldBytes(g.reason ?? null) +
    textFieldBytes(g.lastError ?? null) +
    textFieldBytes(g.cursor ?? null) +
    textFieldBytes(g.archiveHint ?? null)
  );
}

/** One gap_records tuple, in the COPY's column order. */
function encode(copy: BinaryCopyStream, g: GapRecord): void {
  const b = copy.buf;
  let p = tupleStart(b, copy.pos, 18);
  p = int4(b, p, g.id);
  p = int4(b, p, g.assetId);
  p = int4(b, p, g.intervalMinutes);
  p = timestamptz(b, p, g.startTs.getTime() / 1000);
  p = timestamptz(b, p, g.endTs.getTime() / 1000);
  p = int8(b, p, g.missingIntervals);
  p = textField(b, p, g.fillability);
  p = textField(b, p, g.status);
  p = textField(b, p, g.reason ?? null);
  p = int4(b, p, g.attempts ?? 0);
  p = textField(b, p, g.lastError ?? null);
  p = int8(b, p, g.candlesFilled ?? 0);
  p = textField(b, p, g.cursor ?? null);
  p = textField(b, p, g.archiveHint ?? null);
  p = timestamptz(b, p, (g.detectedAt ?? new Date()).getTime() / 1000);
  p = g.resolvedAt ? timestamptz(b, p, g.resolvedAt.getTime() / 1000) : nullField(b, p);
  p = textField(b, p, g.kind ?? 'gap');
  p = g.nextAttemptAt ? timestamptz(b, p, g.nextAttemptAt.getTime() / 1000) : nullField(b, p);
  copy.pos = p;
}

/**
 * One detection run's changes to gap records, in one transaction on one
 * connection. New records stream into the table by binary COPY while the
 * caller goes on reconciling (the server inserts one batch while the next is
 * encoded: a first run over 10,000 series writes 100,000 records); at commit
 * the changed and resolved records follow, each set in UPDATE … FROM unnest
 * statements. Inserting first is safe: a new record's start is never the
 * start of an open record the same run re-spans or resolves (the detector
 * matches any record overlapping a new span before creating one), so only
 * another process's records can collide, and that conflict aborts the whole
 * transaction.
 *
 * Ids come from the table's sequence beforehand (SequenceIds, over a
 * connection of their own: this one is busy copying), so each record has its
 * id without reading anything back; see takeIds.
 */
export class GapChangeWriter {
  private copy: BinaryCopyStream | null = null;
  private closed = false;
  /** Reserved ids not used yet, and the reservations on their way (oldest first). */
  private readonly ids: number[] = [];
  private readonly inFlight: Array<{ count: number; ids: Promise<number[]> }> = [];
  private inFlightCount = 0;

  private readonly sequence: SequenceIds;

  constructor(
    private readonly runner: QueryRunner,
    private readonly client: PoolClient,
    dataSource: DataSource,
    idSequence: string,
  ) {
    this.sequence = new SequenceIds(dataSource, idSequence);
  }

  /** Gives the records ids and streams them into gap_records (visible at commit). */
  async insert(gaps: readonly GapRecord[]): Promise<void> {
    if (gaps.length === 0) return;
    const ids = await this.takeIds(gaps.length);
    this.copy ??= new BinaryCopyStream(
      this.client,
      `COPY gap_records (id, asset_id, interval_minutes, start_ts, end_ts, missing_intervals, fillability, status, ` +
        `reason, attempts,
                         last_error, candles_filled, cursor, archive_hint, detected_at, resolved_at, kind, ` +
        `next_attempt_at)
       FROM STDIN (FORMAT binary)`,
    );
    const copy = this.copy;
    for (let i = 0; i < gaps.length; i++) {
      const g = gaps[i]!;
      g.id = ids[i]!;
      const bytes = tupleBytes(g);
      if (!copy.fits(bytes)) await copy.reserve(bytes);
      encode(copy, g);
    }
  }

  /**
   * `count` ids. After a large batch more are likely: the ids of the next
   * ones are asked for at once, so that the round trip overlaps reconciling
   * instead of stalling the next batch (a run leaves at most two batches of
   * ids unused; ids need not be dense).
   */
  private async takeIds(count: number): Promise<number[]> {
    while (this.ids.length < count) {
      const next = this.inFlight.shift();
      if (next) this.inFlightCount -= next.count;
      for (const id of await (next?.ids ?? this.sequence.reserve(count - this.ids.length))) this.ids.push(id);
    }
    const taken = this.ids.splice(0, count);
    if (count >= PREFETCH_FROM) {
      // Keep the next two batches' ids in hand or on their way (batches are about as large; an eighth more
      // covers a series that overfills one): each round trip has a whole batch's reconciling to come back in.
      const ahead = 2 * (count + (count >> 3)) - this.ids.length - this.inFlightCount;
      if (ahead > 0) {
        const ids = this.sequence.reserve(ahead);
        ids.catch(() => undefined); // awaited when used, or by close()
        this.inFlight.push({ count: ahead, ids });
        this.inFlightCount += ahead;
      }
    }
    return taken;
  }

  /** Ends the inserts, writes the updated and resolved records, and commits. */
  async commit(changes: { resolve: readonly GapRecord[]; update: readonly GapRecord[] }): Promise<void> {
    try {
      if (this.copy) await this.copy.end();
      this.copy = null;
      // Resolutions first: a record re-spanned to a start that a resolved one held must not collide with it.
      for (let i = 0; i < changes.resolve.length; i += UPDATE_CHUNK)
        await this.updateAll(changes.resolve.slice(i, i + UPDATE_CHUNK));
      for (let i = 0; i < changes.update.length; i += UPDATE_CHUNK)
        await this.updateAll(changes.update.slice(i, i + UPDATE_CHUNK));
      await this.runner.commitTransaction();
    } catch (e) {
      await this.abort();
      throw e;
    }
    await this.close();
  }

  /** Rolls everything back. */
  async abort(): Promise<void> {
    if (this.closed) return;
    await this.copy?.destroy();
    this.copy = null;
    if (this.runner.isTransactionActive) await this.runner.rollbackTransaction().catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.inFlight.map((r) => r.ids));
    await this.sequence.release();
    await this.runner.release();
  }

  private async updateAll(gaps: readonly GapRecord[]): Promise<void> {
    await this.runner.query(
      `UPDATE gap_records g
          SET start_ts = to_timestamp(u.s), end_ts = to_timestamp(u.e), missing_intervals = u.m, fillability = u.f, ` +
        `status = u.st,
              reason = u.r, attempts = u.a, last_error = u.le, candles_filled = u.cf, cursor = u.c, archive_hint = u.h,
              resolved_at = to_timestamp(u.ra), next_attempt_at = to_timestamp(u.na)
         FROM unnest($1::int[], $2::float8[], $3::float8[], $4::bigint[], $5::text[], $6::text[], $7::text[], ` +
        `$8::int[], $9::text[],
                     $10::bigint[], $11::text[], $12::text[], $13::float8[], $14::float8[])
              AS u(id, s, e, m, f, st, r, a, le, cf, c, h, ra, na)
        WHERE g.id = u.id`,
      [
        gaps.map((g) => g.id),
        gaps.map((g) => seconds(g.startTs)),
        gaps.map((g) => seconds(g.endTs)),
        gaps.map((g) => g.missingIntervals),
        gaps.map((g) => g.fillability),
        gaps.map((g) => g.status),
        gaps.map((g) => g.reason ?? null),
        gaps.map((g) => g.attempts ?? 0),
        gaps.map((g) => g.lastError ?? null),
        gaps.map((g) => g.candlesFilled ?? 0),
        gaps.map((g) => g.cursor ?? null),
        gaps.map((g) => g.archiveHint ?? null),
        gaps.map((g) => seconds(g.resolvedAt)),
        gaps.map((g) => seconds(g.nextAttemptAt)),
      ],
    );
  }
}

/**
 * Ids from a sequence over a connection of their own, held for the writer's
 * life: a request goes out as it is made. (Through the pool it would wait
 * for the event loop's next turn, which a busy reconciliation does not give
 * until it needs the ids.)
 */
class SequenceIds {
  private connection: Promise<{ runner: QueryRunner; client: PoolClient }> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sequence: string,
  ) {}

  async reserve(count: number): Promise<number[]> {
    this.connection ??= this.connect();
    const { client } = await this.connection;
    const { rows } = await client.query<{ ids: string }>(
      `SELECT string_agg(nextval($1::regclass)::text, ',') AS ids FROM generate_series(1, $2::int)`,
      [this.sequence, count],
    );
    return rows[0]!.ids.split(',').map(Number);
  }

  async release(): Promise<void> {
    const connection = await this.connection?.catch(() => null);
    this.connection = null;
    await connection?.runner.release();
  }

  private async connect(): Promise<{ runner: QueryRunner; client: PoolClient }> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return { runner, client: (await runner.connect()) as PoolClient };
    } catch (e) {
      await runner.release();
      throw e;
    }
  }
}
