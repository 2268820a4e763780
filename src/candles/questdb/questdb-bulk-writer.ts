import type { SenderBuffer } from '@questdb/nodejs-client';
import { CandleSource } from '../../entities/enums';
import { InvariantError } from '../../common/errors';
import { Candle, CandleBulkWriter, SeriesRef } from '../candle-store';
import { checkCandle } from '../candle-check';
import { writeCandleRow } from './assetprice';
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
  private pendingRows = 0;
  private acknowledgedRows = 0;
  private state: 'open' | 'committed' | 'aborted' | 'failed' = 'open';
  private failure?: unknown;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly channel: IlpChannel,
    private readonly buffer: SenderBuffer,
    private readonly table: string,
    private readonly series: SeriesRef,
    private readonly source: CandleSource,
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

  async write(candle: Candle): Promise<void> {
    this.assertOpen('write');
    checkCandle(this.series, candle);
    writeCandleRow(this.buffer, this.table, this.series, this.source, candle);
    this.pendingRows++;
    if (this.pendingRows >= this.batchRows) await this.flush();
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
    this.buffer.reset();
    this.pendingRows = 0;
    this.state = 'aborted';
    await this.sending.catch(() => undefined);
    await this.discard();
  }

  /** Queues the buffered rows as one request behind any request in flight. */
  private flush(): Promise<void> {
    if (this.pendingRows === 0) return this.sending;
    const data = this.buffer.toBufferNew();
    const rows = this.pendingRows;
    this.pendingRows = 0;
    this.sending = this.sending.then(async () => {
      if (data === null || this.state !== 'open') return;
      try {
        await this.channel.send(data);
        this.acknowledgedRows += rows;
      } catch (e) {
        const error = await this.diagnose(e);
        this.fail(error);
        throw error;
      }
    });
    return this.sending;
  }

  private fail(e: unknown): void {
    this.state = 'failed';
    this.failure = e;
    this.buffer.reset();
    this.pendingRows = 0;
  }

  private assertOpen(action: string): void {
    if (this.state === 'failed') throw this.failure;
    if (this.state !== 'open') throw new InvariantError(`cannot ${action}: this bulk writer is already ${this.state}`);
  }
}
