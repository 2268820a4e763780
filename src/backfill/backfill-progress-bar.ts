import { Logger } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import { formatCount, formatDuration } from '../common/progress-format';
import { BackfillProgress } from './backfill-progress';

// The renderings of a backfill's progress, for the command only: the service needs none of cli-progress.

/**
 * Counters, request rate and ETA (the estimated requests left at the rate measured so far) shared by both renderings.
 */
class BackfillProgressState {
  series = 0;
  /** The series in hand, from 1. */
  position = 0;
  requests: number | null = null;
  calls = 0;
  pages = 0;
  candles = 0;
  current = '';
  gap = '';
  private readonly startedAt = Date.now();

  rate(): number {
    const s = (Date.now() - this.startedAt) / 1000;
    return s > 0 ? this.calls / s : 0;
  }

  etaSeconds(): number | null {
    const rate = this.rate();
    if (this.requests === null || rate <= 0) return null;
    // Past the estimate the remaining work is unknown: no made-up ETA.
    return this.calls > this.requests ? null : (this.requests - this.calls) / rate;
  }

  line(): string {
    return [
      `series ${this.position}/${this.series}${this.current ? ` ${this.current}` : ''}`,
      ...(this.gap ? [this.gap] : []),
      `pages ${formatCount(this.pages)}`,
      `candles ${formatCount(this.candles)}`,
      `calls ${formatCount(this.calls)}${this.requests === null ? '' : ` of ~${formatCount(this.requests)}`}`,
      `${this.rate().toFixed(2)} req/s`,
      `ETA ${formatDuration(this.etaSeconds())}`,
    ].join(' | ');
  }
}

abstract class StatefulBackfillProgress implements BackfillProgress {
  protected readonly state = new BackfillProgressState();

  begin(totals: { series: number; requests: number | null }): void {
    this.state.series = totals.series;
    this.state.requests = totals.requests;
    this.changed();
  }

  seriesStarted(position: number, label: string): void {
    this.state.position = position;
    this.state.current = label;
    this.state.gap = '';
    this.changed();
  }

  gapStarted(label: string): void {
    this.state.gap = label;
    this.changed();
  }

  call(): void {
    this.state.calls++;
    this.changed();
  }

  page(candles: number): void {
    this.state.pages++;
    this.state.candles += candles;
    this.changed();
  }

  candles(n: number): void {
    this.state.candles += n;
    this.changed();
  }

  abstract end(): void;
  protected abstract changed(): void;
}

/**
 * A progress bar on stderr (TTY), by requests against the estimate.
 *
 * @public (loaded on first use, by require(), in backfill.presenter.ts)
 */
export class TtyBackfillProgress extends StatefulBackfillProgress {
  private readonly bar = new SingleBar({
    stream: process.stderr,
    format: 'backfill [{bar}] {percentage}% | {line}',
    hideCursor: true,
    clearOnComplete: false,
    fps: 5,
  });
  private started = false;

  protected changed(): void {
    const total = Math.max(1, this.state.requests ?? 1, this.state.calls);
    if (!this.started) {
      this.started = true;
      this.bar.start(total, this.state.calls, { line: this.state.line() });
      return;
    }
    this.bar.setTotal(total);
    this.bar.update(this.state.calls, { line: this.state.line() });
  }

  end(): void {
    if (!this.started) return;
    this.state.position = this.state.series;
    this.bar.update(this.state.calls, { line: this.state.line() });
    this.bar.stop();
  }
}

/**
 * Not a terminal: one log line (stderr) every `everyMs` while it runs, and one at the end.
 *
 * @public (loaded on first use, by require(), in backfill.presenter.ts)
 */
export class LogBackfillProgress extends StatefulBackfillProgress {
  private readonly logger = new Logger('backfill');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly everyMs = 5_000) {
    super();
  }

  protected changed(): void {
    // A timer, not the events: a request that takes long still gets its line.
    this.timer ??= setInterval(() => this.logger.log(this.state.line()), this.everyMs).unref();
  }

  end(): void {
    clearInterval(this.timer);
    this.state.position = this.state.series;
    this.logger.log(this.state.line());
  }
}
