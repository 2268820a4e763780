import { Logger } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import { formatCount as fmt, formatDuration as eta } from '../common/progress-format';

/** What the ingest service reports while it works (never on stdout). */
export interface IngestProgress {
  begin(totals: { files: number; bytes: number }): void;
  fileStarted(name: string): void;
  /** Bytes of content streamed and rows parsed since the last call. */
  advance(bytes: number, rows: number): void;
  fileFinished(): void;
  end(): void;
}

export const NO_PROGRESS: IngestProgress = {
  begin: () => undefined,
  fileStarted: () => undefined,
  advance: () => undefined,
  fileFinished: () => undefined,
  end: () => undefined,
};

/** Rates and ETA shared by both renderings; the ETA is by bytes, the one total known in advance. */
class ProgressState {
  files = 0;
  filesDone = 0;
  bytes = 0;
  bytesDone = 0;
  rows = 0;
  current = '';
  private readonly startedAt = Date.now();

  rowsPerSecond(): number {
    const s = (Date.now() - this.startedAt) / 1000;
    return s > 0 ? Math.round(this.rows / s) : 0;
  }

  etaSeconds(): number | null {
    const s = (Date.now() - this.startedAt) / 1000;
    if (this.bytesDone === 0 || s <= 0) return null;
    return Math.max(0, Math.round(((this.bytes - this.bytesDone) * s) / this.bytesDone));
  }
}

/** A progress bar on stderr (TTY): files, rows, rows/s, ETA. */
export class TtyIngestProgress implements IngestProgress {
  private readonly state = new ProgressState();
  private readonly bar = new SingleBar({
    stream: process.stderr,
    format:
      'ingest [{bar}] {percentage}% | files {filesDone}/{files} | rows {rows} | ' +
      '{rate} rows/s | ETA {etaText} | {current}',
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
    fps: 5,
  });

  begin(totals: { files: number; bytes: number }): void {
    this.state.files = totals.files;
    this.state.bytes = totals.bytes;
    this.bar.start(Math.max(1, totals.bytes), 0, this.payload());
  }

  fileStarted(name: string): void {
    this.state.current = name.length > 40 ? `…${name.slice(-39)}` : name;
    this.bar.update(this.state.bytesDone, this.payload());
  }

  advance(bytes: number, rows: number): void {
    this.state.bytesDone += bytes;
    this.state.rows += rows;
    this.bar.update(this.state.bytesDone, this.payload());
  }

  fileFinished(): void {
    this.state.filesDone++;
    this.bar.update(this.state.bytesDone, this.payload());
  }

  end(): void {
    this.bar.update(this.state.bytes, this.payload());
    this.bar.stop();
  }

  private payload(): Record<string, string | number> {
    const s = this.state;
    return {
      filesDone: s.filesDone,
      files: s.files,
      rows: fmt(s.rows),
      rate: fmt(s.rowsPerSecond()),
      etaText: eta(s.etaSeconds()),
      current: s.current,
    };
  }
}

/** Not a terminal: one log line (stderr) every `everyMs`. */
export class LogIngestProgress implements IngestProgress {
  private readonly logger = new Logger('ingest');
  private readonly state = new ProgressState();
  private lastLog = Date.now();

  constructor(private readonly everyMs = 5_000) {}

  begin(totals: { files: number; bytes: number }): void {
    this.state.files = totals.files;
    this.state.bytes = totals.bytes;
    this.logger.log(`${totals.files} file(s), ${fmt(totals.bytes)} bytes to read`);
  }

  fileStarted(name: string): void {
    this.state.current = name;
  }

  advance(bytes: number, rows: number): void {
    this.state.bytesDone += bytes;
    this.state.rows += rows;
    if (Date.now() - this.lastLog >= this.everyMs) this.log();
  }

  fileFinished(): void {
    this.state.filesDone++;
  }

  end(): void {
    this.log();
  }

  private log(): void {
    this.lastLog = Date.now();
    const s = this.state;
    const pct = s.bytes > 0 ? Math.round((100 * s.bytesDone) / s.bytes) : 100;
    this.logger.log(
      `files ${s.filesDone}/${s.files}, rows ${fmt(s.rows)}, ${fmt(s.rowsPerSecond())} rows/s, ${pct}% of bytes, ` +
        `ETA ${eta(s.etaSeconds())}${s.current ? `, at ${s.current}` : ''}`,
    );
  }
}
