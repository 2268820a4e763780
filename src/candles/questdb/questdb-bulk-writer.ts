import { InvariantError } from '../../common/errors';
import { Candle, CandleBulkWriter, SeriesRef } from '../candle-store';
import { checkCandle } from '../candle-check';
import { IlpCandleEncoder } from './ilp-candle-encoder';
import { IlpChannel } from './ilp-channel';

/**
 * Streams one series into a QuestDB table over ILP/HTTP. Rows are serialised
 * into the client's buffer and sent every `batchRows` rows (one acknowledged
 * request, one QuestDB transaction each); `commit()` sends the rest and then
 * hands over to `publish` (the store: wait until QuestDB's WAL made the rows
 * visible, and for a staged writer move them into the candle table first), so
 * that coverage committed after it is true. `abort()` calls `discard` (a staged
 * writer drops its staging table). Batches go out one at a time, in order, so
 * a candle written twice keeps its last version.
 *
 * A failed batch fails the writer: the error propagates from write() or
 * commit(), later calls reject, and only acknowledged rows were counted.
 */
export class QuestDbBulkWriter implements CandleBulkWriter {
  private acknowledgedRows = 0;
  private state: 'open' | 'committed' | 'aborted' | 'failed' = 'open';
  private failure?: unknown;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: IlpChannel,
    /** Encodes this writer's rows (its table, series and source) for the channel's protocol version. */
    private readonly encoder: IlpCandleEncoder,
    private readonly series: SeriesRef,
    private readonly batchRows: number,
    /** At commit, after every row was acknowledged: makes the `acknowledged` rows visible where they belong. */
    private readonly publish: (acknowledged: number) => Promise<void>,
    /** Turns a failed request's error into the one to report (the store tells schema mismatches apart). */
    private readonly diagnose: (error: unknown) => Promise<unknown> = async (error) => error,
    /** At abort (also after a failure): throws away what was written. */
    private readonly discard: () => Promise<void> = async () => undefined,
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
    await this.flush();
    await this.sending;
    try {
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
    await this.sending.catch(() => undefined);
    await this.discard();
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
        await this.channel.send(data);
        this.acknowledgedRows += rows;
      } catch (e) {
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

  private fail(e: unknown): void {
    this.state = 'failed';
    this.failure = e;
    this.encoder.reset();
  }

  private assertOpen(action: string): void {
    if (this.state === 'failed') throw this.failure;
    if (this.state !== 'open') throw new InvariantError(`cannot ${action}: this bulk writer is already ${this.state}`);
  }
}
