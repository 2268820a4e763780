import { Inject, Injectable, Logger } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { EXCHANGE_CAPABILITIES, ExchangeCapabilities } from '../sources/exchange-capabilities';
import { ArchiveMemberName, parseArchiveMemberName } from './archive-name';
import { ArchiveNameError, ArchiveUnreadableError } from './ingestion.errors';

/** One loose CSV file or one ZIP member, ready to be hashed and streamed. */
export interface DiscoveredFile {
  /** How the file is named in output and rejects: the path, or `archive!member`. */
  name: string;
  /** Absolute path of the ZIP holding the member, or null for a loose file. */
  archive: string | null;
  /** Absolute path of a loose file, or the member's path inside the archive. */
  path: string;
  sizeBytes: number;
  /** A loose file's modification time (ms). */
  mtimeMs: number | null;
  /** A ZIP member's CRC-32 from the archive's directory. */
  crc32: number | null;
  member: ArchiveMemberName;
  /** A fresh stream of the (decompressed) content; ZIP members are never extracted to disk. */
  open(): Promise<Readable>;
}

/** An entry discovery did not follow or refused, with why. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  /** Files or members whose names are not `PAIR_INTERVAL.csv` (listed, not fatal). */
  unrecognized: string[];
  /** Entries not followed (symlink loops, dangling links, unreadable entries) or refused (hostile ZIP member names). */
  skipped: SkippedEntry[];
  /** Closes the ZIP files opened for reading members. */
  close(): void;
}

/**
 * Bytes per read of a loose file. 64 KiB, not 256: a read's candles (~1,500 here, ~6,000 at 256 KiB) stay alive
 * across the candle writer's awaits, and at 256 KiB V8 promoted enough of them to pile up ~100 MB of old-space
 * garbage between full collections — a QuestDB-store ingest of 2M rows peaked at ~240 MB in some runs instead of
 * ~140 (6 of 6 runs at ~140 MB with 64 KiB; postgres store: same speed within noise, 6 MB less).
 */
const READ_CHUNK = 1 << 16;

const isCsv = (name: string) => /\.csv$/i.test(name);
const isZip = (name: string) => /\.zip$/i.test(name);

/**
 * Finds OHLCVT files: a PATH is a .csv file, a .zip (its members listed from
 * the central directory and streamed on demand) or a directory searched
 * recursively for both. A path that cannot be read is a usage error.
 */
@Injectable()
export class ArchiveDiscoveryService {
  private readonly logger = new Logger(ArchiveDiscoveryService.name);

  constructor(@Inject(EXCHANGE_CAPABILITIES) private readonly exchange: ExchangeCapabilities) {}

  async discover(paths: readonly string[]): Promise<Discovery> {
    const files: DiscoveredFile[] = [];
    const unrecognized: string[] = [];
    const zips: yauzl.ZipFile[] = [];
    const discovery: Discovery = { files, unrecognized, skipped: [], close: () => zips.forEach((z) => z.close()) };
    // Directories walked so far, by real path: each is walked once, whatever links lead to it again.
    const walked = new Set<string>();
    try {
      for (const p of paths) await this.visit(resolve(p), true, discovery, zips, walked);
    } catch (e) {
      discovery.close();
      throw e;
    }
    return discovery;
  }

  /**
   * A path given on the command line must be readable (else a usage error); one found inside a directory that
   * cannot be read, a dangling link or a link back into a directory already walked is listed as skipped.
   */
  private async visit(
    path: string,
    explicit: boolean,
    out: Discovery,
    zips: yauzl.ZipFile[],
    walked: Set<string>,
    onlyDirectories = false,
  ): Promise<void> {
    const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (explicit) throw new ArchiveUnreadableError(`cannot read ${path}: ${e.code ?? e.message}`, { cause: e });
      out.skipped.push({
        path,
        reason:
          e.code === 'ENOENT'
            ? 'dangling link'
            : e.code === 'ELOOP'
              ? 'symlink loop'
              : `unreadable (${e.code ?? e.message})`,
      });
      return null;
    });
    if (!info) return;
    if (info.isDirectory()) {
      const real = await realpath(path).catch(() => path);
      if (walked.has(real)) {
        out.skipped.push({ path, reason: `symlink loop: ${real} is walked already` });
        return;
      }
      walked.add(real);
      const entries = await readdir(path).catch((e: NodeJS.ErrnoException) => {
        if (explicit) throw new ArchiveUnreadableError(`cannot list ${path}: ${e.code ?? e.message}`, { cause: e });
        out.skipped.push({ path, reason: `unreadable directory (${e.code ?? e.message})` });
        return [] as string[];
      });
      for (const entry of entries.sort()) {
        const child = join(path, entry);
        if (isCsv(entry) || isZip(entry)) await this.visit(child, false, out, zips, walked);
        else {
          const kind = await lstat(child).catch(() => null);
          if (kind?.isDirectory() || kind?.isSymbolicLink())
            await this.visit(child, false, out, zips, walked, kind.isSymbolicLink());
        }
      }
    } else if (isZip(path)) {
      await this.listZip(path, out, zips).catch((e: unknown) => {
        if (explicit) throw e;
        out.skipped.push({ path, reason: e instanceof Error ? e.message : String(e) });
      });
    } else if (onlyDirectories) {
      return; // a link found while walking to something that is neither a directory nor named .csv/.zip
    } else if (info.isFile() && (isCsv(path) || explicit)) {
      const member = isCsv(path) ? parseArchiveMemberName(this.exchange, path) : null;
      if (!member) {
        // A file named on the command line that is not an archive member is a mistake to say, not to list.
        if (explicit)
          throw new ArchiveNameError(
            `${path}: not an OHLCVT file name (PAIR_INTERVAL.csv, e.g. XBTUSD_60.csv, or a .zip of them)`,
          );
        out.unrecognized.push(path);
        return;
      }
      out.files.push({
        name: path,
        archive: null,
        path,
        sizeBytes: info.size,
        mtimeMs: Math.floor(info.mtimeMs),
        crc32: null,
        member,
        open: async () => createReadStream(path, { highWaterMark: READ_CHUNK }),
      });
    } else {
      out.unrecognized.push(path);
    }
  }

  private async listZip(path: string, out: Discovery, zips: yauzl.ZipFile[]): Promise<void> {
    const zip = await new Promise<yauzl.ZipFile>((done, fail) =>
      // Names are decoded and checked here (decodeStrings off): yauzl would fail the whole archive on one bad name.
      yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false }, (e, z) =>
        e || !z
          ? fail(new ArchiveUnreadableError(`cannot open ZIP ${path}: ${e?.message ?? 'no zip'}`, { cause: e }))
          : done(z),
      ),
    );
    zips.push(zip);
    await new Promise<void>((done, fail) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileNameRaw;
        // strict: backslashes kept, then refused
        const decoded = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
        const refused = memberNameProblem(decoded, raw.length);
        const name = refused ? printable(decoded) : decoded;
        if (refused) out.skipped.push({ path: `${path}!${name}`, reason: `refused member name: ${refused}` });
        else if (!name.endsWith('/')) {
          const member = isCsv(name) ? parseArchiveMemberName(this.exchange, name) : null;
          if (member) {
            out.files.push({
              name: `${path}!${name}`,
              archive: path,
              path: name,
              sizeBytes: entry.uncompressedSize,
              mtimeMs: null,
              crc32: entry.crc32 >>> 0,
              member,
              open: () => openMember(zip, entry, path),
            });
          } else out.unrecognized.push(`${path}!${name}`);
        }
        zip.readEntry();
      });
      zip.once('end', () => done());
      zip.once('error', (e: Error) =>
        fail(new ArchiveUnreadableError(`cannot read ZIP ${path}: ${e.message}`, { cause: e })),
      );
      zip.readEntry();
    });
    this.logger.debug(`listed ${path}`);
  }
}

/** Longest member name accepted (bytes): real OHLCVT members are short (XBTUSD_60.csv, maybe a folder). */
const MAX_MEMBER_NAME = 255;

/** Why a ZIP member name is refused (never written anywhere, never ingested), or null. */
export function memberNameProblem(name: string, bytes: number): string | null {
  if (bytes > MAX_MEMBER_NAME) return `longer than ${MAX_MEMBER_NAME} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control characters';
  const problem = yauzl.validateFileName(name);
  return problem ? problem.replace(/: .*$/s, '') : null;
}

/** A refused name as a readable, bounded text for listings. */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  const text = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function openMember(zip: yauzl.ZipFile, entry: yauzl.Entry, archive: string): Promise<Readable> {
  return new Promise((done, fail) =>
    zip.openReadStream(entry, (e, stream) =>
      e || !stream
        ? fail(
            new ArchiveUnreadableError(
              `cannot read ${archive}!${entry.fileNameRaw.toString('utf8')}: ${e?.message ?? 'no stream'}`,
              { cause: e },
            ),
          )
        : done(stream),
    ),
  );
}
