/**
 * `readArchiveFiles`: streams a tar archive (.tar, .tar.gz) through zlib on
 * the libuv thread pool and our own tar reader (tar.ts) on the main thread,
 * handing the regular files whose path passes a filter to a callback, without
 * writing anything to disk. Entries with unsafe paths (absolute, `..`) are
 * refused: the archive is rejected, since it was not made for this.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { TarFormatError, TarParser } from './tar';
import { checkFunction, checkInteger, checkNonEmptyString, optional } from '../validate';

/**
 * What is wrong with an archive: 'NOT_FOUND', 'NOT_REGULAR' (a FIFO, a device such as /dev/zero,
 * a folder), 'UNREADABLE', 'CORRUPT' (truncated, not a tar), 'REFUSED' (an unsafe entry path),
 * 'TOO_LARGE' (over maxEntryBytes or maxTotalBytes), 'DUPLICATE' (an entry twice).
 */
export type ArchiveErrorCode = 'NOT_FOUND' | 'NOT_REGULAR' | 'UNREADABLE' | 'CORRUPT' | 'REFUSED' | 'TOO_LARGE' | 'DUPLICATE';

export class ArchiveError extends Error {
  readonly archive: string;
  readonly code: ArchiveErrorCode;

  constructor(archive: string, message: string, code: ArchiveErrorCode = 'CORRUPT') {
    super(message);
    this.name = 'ArchiveError';
    this.archive = archive;
    this.code = code;
  }
}

export interface ReadArchiveOptions {
  /** Largest accepted file in bytes (held in memory); default 10 MB. */
  maxEntryBytes?: number;
  /** Most bytes of the uncompressed archive read; default 4 GiB. */
  maxTotalBytes?: number;
}

export const DEFAULT_MAX_ENTRY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_TOTAL_BYTES = 4 * 1024 ** 3;

/** The limits of `options`, checked, with their defaults. */
export function archiveLimits(options: ReadArchiveOptions | undefined, prefix = 'options'): Required<ReadArchiveOptions> {
  const o = options ?? {};
  return {
    maxEntryBytes: optional(o.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES, (v) => checkInteger(`${prefix}.maxEntryBytes`, v, 0)),
    maxTotalBytes: optional(o.maxTotalBytes, DEFAULT_MAX_TOTAL_BYTES, (v) => checkInteger(`${prefix}.maxTotalBytes`, v, 0)),
  };
}

/** Size of the gunzipped chunks the tar reader gets (zlib's per-chunk cost on the main thread is ~0.1 ms). */
const CHUNK = 1 << 20;
/** Chunks waiting for the main thread before the gunzip stream is paused, and when it resumes. */
const HIGH_WATER = 8;
const LOW_WATER = 2;

/**
 * Streams `archive` (.tar.gz or .tar) and calls `onFile(entryPath, contents)`
 * for each regular file accepted by `accept`, in archive order. `contents`
 * may be a view of a larger buffer: copy it to keep it. Rejects with an
 * ArchiveError if the archive is truncated or corrupt or has an entry with an
 * unsafe path, or with what `onFile` throws.
 *
 * zlib inflates on the libuv thread pool while the main thread parses and
 * runs `onFile`: each gunzipped chunk is queued and handled in its own
 * event-loop turn, so the next inflate is already under way meanwhile.
 */
export function readArchiveFiles(archive: string, accept: (entryPath: string) => boolean,
  onFile: (entryPath: string, contents: Buffer) => void, options?: ReadArchiveOptions): Promise<void> {
  checkNonEmptyString('archive', archive);
  checkFunction('accept', accept);
  checkFunction('onFile', onFile);
  const limits = archiveLimits(options);
  // Only a regular file: a FIFO or a device (/dev/zero) would be read forever.
  let stat: fs.Stats;
  try {
    stat = fs.statSync(archive);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return Promise.reject(new ArchiveError(archive, `archive ${archive} cannot be read: ${(e as Error).message}`, missing ? 'NOT_FOUND' : 'UNREADABLE'));
  }
  if (!stat.isFile()) return Promise.reject(new ArchiveError(archive, `archive ${archive} is not a regular file`, 'NOT_REGULAR'));
  return new Promise<void>((resolve, reject) => {
    const parser = new TarParser(accept, onFile, limits);
    const input = fs.createReadStream(archive, { highWaterMark: 1 << 20 });
    let source: Readable = input;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      input.destroy();
      if (source !== input) source.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    const corrupt = (message: string) => new ArchiveError(archive, `archive ${archive} is truncated or corrupt: ${message}`);
    input.on('error', (e) => finish(new ArchiveError(archive, `archive ${archive} cannot be read: ${e.message}`, 'UNREADABLE')));
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
      const gunzip = zlib.createGunzip({ chunkSize: CHUNK });
      gunzip.on('error', (e) => finish(corrupt(e.message)));
      source = input.pipe(gunzip);
    }

    const queue: Buffer[] = [];
    let head0 = 0;
    let ended = false;
    let scheduled = false;
    let paused = false;
    const schedule = () => {
      if (!scheduled && !done) {
        scheduled = true;
        setImmediate(step);
      }
    };
    // One chunk per turn: between turns zlib's completions run and start the next inflate.
    const step = () => {
      scheduled = false;
      if (done) return;
      try {
        if (head0 < queue.length) {
          const chunk = queue[head0];
          queue[head0++] = undefined as unknown as Buffer;
          if (head0 === queue.length) queue.length = head0 = 0;
          parser.write(chunk); // after the end-of-archive block it only counts bytes: zlib still checks the CRC
          if (parser.ended && !gz) {
            finish(); // a plain tar: nothing after the end block matters (a file of zeros ends at once)
            return;
          }
        }
        if (paused && queue.length - head0 <= LOW_WATER) {
          paused = false;
          source.resume();
        }
        if (head0 < queue.length) schedule();
        else if (ended) {
          parser.end();
          finish();
        }
      } catch (e) {
        if (e instanceof TarFormatError) {
          finish(e.kind === 'corrupt' ? corrupt(e.message)
            : new ArchiveError(archive, `archive ${archive}: ${e.message}`, e.kind === 'refused' ? 'REFUSED' : 'TOO_LARGE'));
        } else {
          finish(e);
        }
      }
    };
    source.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      if (!paused && queue.length - head0 >= HIGH_WATER) {
        paused = true;
        source.pause();
      }
      schedule();
    });
    source.on('end', () => {
      ended = true;
      schedule();
    });
  });
}
