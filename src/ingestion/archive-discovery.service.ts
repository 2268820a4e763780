import { Injectable, Logger } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { ArchiveMemberName, parseArchiveMemberName } from './archive-name';
import { ArchiveUnreadableError } from './ingestion.errors';

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

export interface Discovery {
  files: DiscoveredFile[];
  /** Files or members whose names are not `PAIR_INTERVAL.csv` (listed, not fatal). */
  unrecognized: string[];
  /** Closes the ZIP files opened for reading members. */
  close(): void;
}

const READ_CHUNK = 1 << 18;

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

  async discover(paths: readonly string[]): Promise<Discovery> {
    const files: DiscoveredFile[] = [];
    const unrecognized: string[] = [];
    const zips: yauzl.ZipFile[] = [];
    const discovery: Discovery = { files, unrecognized, close: () => zips.forEach((z) => z.close()) };
    try {
      for (const p of paths) await this.visit(resolve(p), true, discovery, zips);
    } catch (e) {
      discovery.close();
      throw e;
    }
    return discovery;
  }

  private async visit(path: string, explicit: boolean, out: Discovery, zips: yauzl.ZipFile[]): Promise<void> {
    const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
      throw new ArchiveUnreadableError(`cannot read ${path}: ${e.code ?? e.message}`, { cause: e });
    });
    if (info.isDirectory()) {
      const entries = await readdir(path).catch((e: NodeJS.ErrnoException) => {
        throw new ArchiveUnreadableError(`cannot list ${path}: ${e.code ?? e.message}`, { cause: e });
      });
      for (const entry of entries.sort()) {
        const child = join(path, entry);
        if (isCsv(entry) || isZip(entry)) await this.visit(child, false, out, zips);
        else if ((await stat(child).catch(() => null))?.isDirectory()) await this.visit(child, false, out, zips);
      }
    } else if (isZip(path)) {
      await this.listZip(path, out, zips);
    } else if (info.isFile() && (isCsv(path) || explicit)) {
      const member = isCsv(path) ? parseArchiveMemberName(path) : null;
      if (!member) {
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
      yauzl.open(path, { lazyEntries: true, autoClose: false }, (e, z) =>
        e || !z ? fail(new ArchiveUnreadableError(`cannot open ZIP ${path}: ${e?.message ?? 'no zip'}`, { cause: e })) : done(z),
      ),
    );
    zips.push(zip);
    await new Promise<void>((done, fail) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (!name.endsWith('/')) {
          const member = isCsv(name) ? parseArchiveMemberName(name) : null;
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
      zip.once('error', (e: Error) => fail(new ArchiveUnreadableError(`cannot read ZIP ${path}: ${e.message}`, { cause: e })));
      zip.readEntry();
    });
    this.logger.debug(`listed ${path}`);
  }
}

function openMember(zip: yauzl.ZipFile, entry: yauzl.Entry, archive: string): Promise<Readable> {
  return new Promise((done, fail) =>
    zip.openReadStream(entry, (e, stream) =>
      e || !stream ? fail(new ArchiveUnreadableError(`cannot read ${archive}!${entry.fileName}: ${e?.message ?? 'no stream'}`, { cause: e })) : done(stream),
    ),
  );
}
