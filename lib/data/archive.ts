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
import { checkFunction, checkNonEmptyString } from '../validate';

export class ArchiveError extends Error {
  readonly archive: string;

  constructor(archive: string, message: string) {
    super(message);
    this.name = 'ArchiveError';
    this.archive = archive;
  }
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
  onFile: (entryPath: string, contents: Buffer) => void): Promise<void> {
  checkNonEmptyString('archive', archive);
  checkFunction('accept', accept);
  checkFunction('onFile', onFile);
  return new Promise<void>((resolve, reject) => {
    const parser = new TarParser(accept, onFile);
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
    input.on('error', (e) => finish(new ArchiveError(archive, `archive ${archive} cannot be read: ${e.message}`)));
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
          finish(e.kind === 'refused' ? new ArchiveError(archive, `archive ${archive}: ${e.message}`) : corrupt(e.message));
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
