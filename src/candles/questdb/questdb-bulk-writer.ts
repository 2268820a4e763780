import { InvariantError } from '../../common/errors';
import { Candle, CandleBulkWriter } from '../candle-store';
import { checkCandle } from '../candle-check';
import { IlpCandleEncoder } from './ilp-candle-encoder';
import { IlpSink } from './ilp-channel';
import { SeriesRef } from '../../common/series';

/**
 * Writes one series into a QuestDB table over ILP/HTTP. Rows are encoded
 * into the encoder's buffer and handed to the sink every `batchRows` rows —
 * as a request of their own (one transaction each: upserts), or as the next
 * chunk of one streamed request (a bulk load: one transaction at the end) —
 * one chunk in flight while the next is encoded, in order, so a candle
 * written twice keeps its last version. `commit()` sends the rest, finishes
 * the sink and then hands over to `publish` (the store: wait until QuestDB's
 * WAL made the rows visible), so that coverage committed after it is true.
 * `abort()` aborts the sink (a streamed request cut off keeps nothing).
 *
 * A failed chunk fails the writer: the error propagates from write() or
 * commit(), later calls reject, and only acknowledged rows were counted.
 */
export class QuestDbBulkWriter implements CandleBulkWriter {
  private acknowledgedRows = 0;
  private state: 'open' | 'committed' | 'aborted' | 'failed' = 'open';
  private failure?: unknown;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: IlpSink,
    /** Encodes this writer's rows (its table, series and source) for the channel's protocol version. */
    private readonly encoder: IlpCandleEncoder,
    private readonly series: SeriesRef,
    private readonly batchRows: number,
    /** At commit, after every row was acknowledged: makes the `acknowledged` rows visible where they belong. */
    private readonly publish: (acknowledged: number) => Promise<void>,
    /** Turns a failed request's error into the one to report (the store tells schema mismatches apart). */
    private readonly diagnose: (error: unknown) => Promise<unknown> = async (error) => error,
  ) {}

  /** Rows QuestDB has acknowledged so far. */
  get acknowledged(): number {
    return this.acknowledgedRows;
  }

  /**
   * Synchronous but for a full batch (ingest's hot loop awaits only what is returned); a refused candle or a
   * closed writer is a rejected promise, as from an async write.
   */
  write(candle: Candle): void | Promise<void> {
    try {
      this.assertOpen('write');
      checkCandle(this.series, candle);
      this.encoder.add(candle);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.encoder.rows >= this.batchRows) return this.nextBatch();
  }

  async commit(): Promise<number> {
    this.assertOpen('commit');
    // The last batch only after the one in flight was acknowledged: take() reuses that one's buffer.
    await this.sending.catch(() => undefined);
    this.assertOpen('commit');
    await this.flush();
    await this.sending;
    try {
      this.acknowledgedRows += await this.sink
        .finish()
        .catch(async (e: unknown) => Promise.reject(await this.diagnose(e)));
      await this.publish(this.acknowledgedRows);
    } catch (e) {
      this.fail(e);
      throw e;
    }
    this.state = 'committed';
    return this.acknowledgedRows;
  }

  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    this.encoder.reset();
    this.state = 'aborted';
    this.sink.abort();
    await this.sending.catch(() => undefined);
  }

  /** At most one request in flight: waits for the previous one, then sends this batch while the next is encoded. */
  private async nextBatch(): Promise<void> {
    await this.sending;
    this.assertOpen('write');
    void this.flush();
  }

  /** Queues the encoded rows as one request behind any request in flight. */
  private flush(): Promise<void> {
    const rows = this.encoder.rows;
    const data = this.encoder.take();
    if (data === null) return this.sending;
    const sent = this.sending.then(async () => {
      if (this.state !== 'open') return;
      try {
        this.acknowledgedRows += await this.sink.send(data, rows);
      } catch (e) {
        if (this.aborted) return; // cut off by abort() while in flight: that is no failure
        const error = await this.diagnose(e);
        this.fail(error);
        throw error;
      }
    });
    // Handled here (the failure is kept in `state`), reported by the next write(), commit() or abort().
    sent.catch(() => undefined);
    this.sending = sent;
    return sent;
  }

  /** A getter, not `state` read inline: TypeScript would keep it narrowed to 'open' across the await. */
  private get aborted(): boolean {
    return this.state === 'aborted';
  }

  private fail(e: unknown): void {
    this.state = 'failed';
    this.failure = e;
    this.encoder.reset();
    this.sink.abort();
  }

  private assertOpen(action: string): void {
    if (this.state === 'failed') throw this.failure;
    if (this.state !== 'open') throw new InvariantError(`cannot ${action}: this bulk writer is already ${this.state}`);
  }
}
