/**
 * Tar archives (.tar, .tar.gz) through the `tar` package, streaming:
 * - `extractArchive` unpacks into a fresh temporary folder next to the target
 *   and only renames it into place once everything is written, refusing
 *   entries that would land outside the target (absolute paths, `..`) and
 *   links or devices; on any error the temporary folder is removed.
 * - `readArchiveFiles` streams the archive and hands the regular files whose
 *   path passes a filter to a callback, without writing anything to disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Parser, extract as tarExtract } from 'tar';
import type { ReadEntry } from 'tar';
import { checkString } from './validate';

export class ArchiveError extends Error {
  readonly archive: string;

  constructor(archive: string, message: string) {
    super(message);
    this.name = 'ArchiveError';
    this.archive = archive;
  }
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** Why an entry path is unsafe, or null when it stays inside the target. */
export function unsafeEntryReason(entryPath: string): string | null {
  if (entryPath.length === 0) return 'empty path';
  if (path.isAbsolute(entryPath) || /^[A-Za-z]:/.test(entryPath) || entryPath.startsWith('\\')) return 'absolute path';
  if (entryPath.split(/[\\/]+/).includes('..')) return "path contains '..'";
  return null;
}

export interface ExtractOptions {
  /** Keep only entries for which this returns true (paths as written in the archive). */
  filter?: (entryPath: string) => boolean;
}

/**
 * Extracts `archive` into `dest` (which must not exist yet) atomically:
 * everything is written to `dest + '.tmp-*'` and renamed at the end.
 */
export async function extractArchive(archive: string, dest: string, options: ExtractOptions = {}): Promise<string> {
  checkString('archive', archive);
  checkString('dest', dest);
  if (!fs.existsSync(archive)) throw new ArchiveError(archive, `archive ${archive} does not exist`);
  if (fs.existsSync(dest)) throw new ArchiveError(archive, `extract: ${dest} already exists`);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = fs.mkdtempSync(`${dest}.tmp-`);
  let refused: string | undefined;
  try {
    await tarExtract({
      file: archive,
      cwd: tmp,
      strict: true,
      preserveOwner: false,
      filter: (p: string, entry) => {
        const e = entry as ReadEntry;
        const reason = unsafeEntryReason(p);
        if (reason !== null) {
          refused ??= `entry ${JSON.stringify(p)} refused: ${reason}`;
          return false;
        }
        if (!FILE_TYPES.has(e.type) && e.type !== 'Directory') {
          refused ??= `entry ${JSON.stringify(p)} refused: ${e.type} entries are not extracted`;
          return false;
        }
        const target = path.resolve(tmp, p);
        if (target !== tmp && !target.startsWith(tmp + path.sep)) {
          refused ??= `entry ${JSON.stringify(p)} refused: it would be written outside ${dest}`;
          return false;
        }
        return options.filter ? options.filter(p) : true;
      },
    });
    if (refused !== undefined) throw new ArchiveError(archive, `archive ${archive}: ${refused}; nothing was extracted`);
    fs.renameSync(tmp, dest);
    return dest;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(archive, `archive ${archive} is truncated or corrupt: ${(e as Error).message}`);
  }
}

/**
 * Streams `archive` and calls `onFile(entryPath, contents)` for each regular
 * file accepted by `accept`. Rejects with an ArchiveError if the archive is
 * truncated or corrupt.
 */
export function readArchiveFiles(archive: string, accept: (entryPath: string) => boolean,
  onFile: (entryPath: string, contents: Buffer) => void): Promise<void> {
  checkString('archive', archive);
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(new ArchiveError(archive, `archive ${archive} is truncated or corrupt: ${message}`));
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (!FILE_TYPES.has(entry.type) || !accept(entry.path)) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => {
          if (!failed) onFile(entry.path, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
        });
      },
    });
    parser.on('warn', (code: string, message: string | Error) => fail(`${code}: ${typeof message === 'string' ? message : message.message}`));
    parser.on('error', (e: Error) => fail(e.message));
    parser.on('end', () => {
      if (!failed) resolve();
    });
    const input = fs.createReadStream(archive, { highWaterMark: 1 << 20 });
    input.on('error', (e) => {
      if (failed) return;
      failed = true;
      reject(new ArchiveError(archive, `archive ${archive} cannot be read: ${e.message}`));
    });
    // Gunzip with an async zlib stream (libuv thread pool), so decompression
    // overlaps with whatever `onFile` does on the main thread.
    const head = Buffer.alloc(2);
    let gz = false;
    try {
      const fd = fs.openSync(archive, 'r');
      gz = fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
      fs.closeSync(fd);
    } catch {
      // the read stream reports it
    }
    if (gz) {
      const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
      gunzip.on('error', (e) => fail(e.message));
      input.pipe(gunzip).pipe(parser);
    } else {
      input.pipe(parser);
    }
  });
}
