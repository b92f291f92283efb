/**
 * A small streaming tar reader for `readArchiveFiles`: feed it the archive's
 * bytes (already gunzipped) in chunks of any size and it hands each accepted
 * regular file to a callback, without the per-entry streams of a general tar
 * library. Files that lie inside one chunk are handed over as views of that
 * chunk (no copy).
 *
 * Reads ustar, GNU (`L` long names) and pax (`x` headers: `path`, `size`)
 * archives. Every header's checksum is verified; an entry whose path is
 * unsafe (absolute, `..`) is refused; the
 * archive must end with an end-of-archive (zero) block, so an archive cut at
 * an entry boundary is reported as truncated. Like Python's `tarfile`, the
 * first zero block ends the archive. Links, directories and devices carry no
 * data and are skipped.
 */
import { isAbsolute } from 'node:path';

const BLOCK = 512;
/** Longest GNU long name or pax header accepted. */
const MAX_META = 1 << 20;

/** What went wrong, in words (the caller adds which archive). */
export class TarFormatError extends Error {
  /** 'corrupt' (bad header, truncated data), 'refused' (unsafe entry path) or 'too-large' (over a limit). */
  readonly kind: 'corrupt' | 'refused' | 'too-large';

  constructor(kind: 'corrupt' | 'refused' | 'too-large', message: string) {
    super(message);
    this.name = 'TarFormatError';
    this.kind = kind;
  }
}

const enum State { Header, Data, Padding, End }
const enum Target { Skip, File, LongName, Pax }

/** NUL-terminated field as UTF-8. */
function cString(buf: Uint8Array, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && buf[end] !== 0) end++;
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.toString('utf8', start, end);
}

/**
 * A numeric header field: octal digits (leading spaces allowed, ending at a
 * NUL or space), or GNU's base-256 (first byte 0x80). NaN when malformed.
 */
function parseNumber(buf: Uint8Array, start: number, length: number): number {
  const end = start + length;
  if (buf[start] === 0x80) {
    let v = 0;
    for (let i = start + 1; i < end; i++) v = v * 256 + buf[i];
    return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
  }
  if (buf[start] & 0x80) return NaN; // negative base-256
  let i = start;
  while (i < end && buf[i] === 32) i++;
  let v = 0;
  let digits = 0;
  while (i < end && buf[i] >= 48 && buf[i] <= 55) {
    v = v * 8 + (buf[i] - 48);
    i++;
    digits++;
  }
  for (; i < end; i++) if (buf[i] !== 0 && buf[i] !== 32) return NaN;
  return digits === 0 ? 0 : v;
}

/** Sum of the header's bytes with the checksum field read as spaces. */
function headerSum(buf: Uint8Array, o: number): number {
  let sum = 8 * 32;
  for (let i = o; i < o + 148; i++) sum += buf[i];
  for (let i = o + 156; i < o + BLOCK; i++) sum += buf[i];
  return sum;
}

/** The same with bytes read as int8, as some old tars computed it. */
function signedHeaderSum(buf: Uint8Array, o: number): number {
  let sum = 8 * 32;
  for (let i = o; i < o + BLOCK; i++) if (i - o < 148 || i - o >= 156) sum += buf[i] >= 128 ? buf[i] - 256 : buf[i];
  return sum;
}

function isZeroBlock(buf: Uint8Array, o: number): boolean {
  for (let i = o; i < o + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Records `<length> <key>=<value>\n` of a pax extended header. */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    if (data[p] === 0) break; // NUL padding
    let q = p;
    let len = 0;
    while (q < data.length && data[q] >= 48 && data[q] <= 57) len = len * 10 + (data[q++] - 48);
    if (q === p || data[q] !== 32 || len <= q - p + 1 || p + len > data.length || data[p + len - 1] !== 10) {
      throw new TarFormatError('corrupt', 'malformed pax extended header');
    }
    const record = data.toString('utf8', q + 1, p + len - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) throw new TarFormatError('corrupt', 'malformed pax extended header');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    p += len;
  }
  return out;
}

/** Caps on what an archive may make the reader hold or read (see ReadArchiveOptions). */
export interface TarLimits {
  /** Largest accepted file, in bytes (its contents are held in memory). */
  maxEntryBytes?: number;
  /** Most bytes of the uncompressed archive read in all. */
  maxTotalBytes?: number;
}

export class TarParser {
  private state = State.Header;
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Data bytes of the current entry still to come. */
  private remaining = 0;
  /** Padding bytes after the data still to skip. */
  private padding = 0;
  private target = Target.Skip;
  private parts: Buffer[] = [];
  private path = '';
  /** Bytes consumed so far (offset in the uncompressed archive). */
  private offset = 0;
  private longName: string | undefined;
  private paxPath: string | undefined;
  private paxSize: number | undefined;

  /**
   * `accept(path)` decides, for each regular file, whether `onFile(path, contents)`
   * gets it; `contents` may be a view of a chunk passed to `write` (copy it to keep it
   * beyond that chunk's life if the chunk's memory is reused).
   */
  constructor(private readonly accept: (path: string) => boolean,
    private readonly onFile: (path: string, contents: Buffer) => void,
    private readonly limits: TarLimits = {}) {}

  /** True once the end-of-archive block was read (what follows is ignored). */
  get ended(): boolean {
    return this.state === State.End;
  }

  /** Parses the next bytes of the archive. Throws TarFormatError (or what `onFile` throws). */
  write(chunk: Buffer): void {
    const n = chunk.length;
    const maxTotal = this.limits.maxTotalBytes ?? Infinity;
    if (this.offset + this.headerFill + n > maxTotal) {
      throw new TarFormatError('too-large', `more than ${maxTotal} bytes once uncompressed (the maxTotalBytes limit)`);
    }
    let pos = 0;
    while (pos < n) {
      switch (this.state) {
        case State.Header: {
          if (this.headerFill === 0 && n - pos >= BLOCK) {
            this.onHeader(chunk, pos);
            pos += BLOCK;
            this.offset += BLOCK;
          } else {
            const k = Math.min(BLOCK - this.headerFill, n - pos);
            chunk.copy(this.header, this.headerFill, pos, pos + k);
            this.headerFill += k;
            pos += k;
            if (this.headerFill === BLOCK) {
              this.headerFill = 0;
              this.onHeader(this.header, 0);
              this.offset += BLOCK;
            }
          }
          break;
        }
        case State.Data: {
          const k = Math.min(this.remaining, n - pos);
          if (this.target !== Target.Skip) {
            if (k === this.remaining && this.parts.length === 0) {
              this.remaining = 0;
              this.offset += k;
              this.onData(chunk.subarray(pos, pos + k));
              pos += k;
              break;
            }
            this.parts.push(chunk.subarray(pos, pos + k));
          }
          pos += k;
          this.offset += k;
          this.remaining -= k;
          if (this.remaining === 0) {
            const parts = this.parts;
            this.parts = [];
            this.onData(parts.length === 1 ? parts[0] : Buffer.concat(parts));
          }
          break;
        }
        case State.Padding: {
          const k = Math.min(this.padding, n - pos);
          pos += k;
          this.offset += k;
          this.padding -= k;
          if (this.padding === 0) this.state = State.Header;
          break;
        }
        case State.End:
          this.offset += n - pos;
          return;
      }
    }
  }

  /** No more bytes: throws TarFormatError unless the end-of-archive block was read. */
  end(): void {
    if (this.state === State.End) return;
    if (this.state === State.Header && this.headerFill === 0) {
      throw new TarFormatError('corrupt', this.offset === 0 ? 'the archive is empty'
        : `no end-of-archive block after ${this.offset} bytes (the archive was cut short)`);
    }
    const where = this.state === State.Header ? 'in a header' : `in the data of ${JSON.stringify(this.path)}`;
    throw new TarFormatError('corrupt', `unexpected end of archive ${where} at byte ${this.offset + this.headerFill}`);
  }

  private onHeader(buf: Uint8Array, o: number): void {
    const sum = headerSum(buf, o);
    if (sum === 8 * 32 && isZeroBlock(buf, o)) {
      this.state = State.End;
      return;
    }
    const stored = parseNumber(buf, o + 148, 8);
    if (stored !== sum && stored !== signedHeaderSum(buf, o)) {
      throw new TarFormatError('corrupt', `invalid tar header at byte ${this.offset} (checksum mismatch)`);
    }
    let size = parseNumber(buf, o + 124, 12);
    if (Number.isNaN(size)) throw new TarFormatError('corrupt', `invalid size field in the tar header at byte ${this.offset}`);
    const type = buf[o + 156];
    if (type === 0x4c /* L */ || type === 0x78 /* x */) {
      if (size > MAX_META) throw new TarFormatError('corrupt', `${type === 0x4c ? 'long name' : 'pax header'} of ${size} bytes at byte ${this.offset}`);
      this.begin(type === 0x4c ? Target.LongName : Target.Pax, size);
      return;
    }
    if (type === 0x67 /* g */ || type === 0x4b /* K */) {
      this.begin(Target.Skip, size); // global pax header, long link name: nothing we use
      return;
    }
    let path = cString(buf, o, 100);
    // POSIX ustar ("ustar\0"): a prefix in bytes 345..500. GNU's "ustar  \0" uses them otherwise.
    if (buf[o + 257] === 0x75 && buf[o + 258] === 0x73 && buf[o + 259] === 0x74 && buf[o + 260] === 0x61 &&
      buf[o + 261] === 0x72 && buf[o + 262] === 0) {
      const prefix = cString(buf, o + 345, 155);
      if (prefix.length > 0) path = `${prefix}/${path}`;
    }
    if (this.paxPath !== undefined) path = this.paxPath;
    else if (this.longName !== undefined) path = this.longName;
    if (this.paxSize !== undefined) size = this.paxSize;
    this.longName = this.paxPath = this.paxSize = undefined;
    const reason = unsafeEntryReason(path);
    if (reason !== null) throw new TarFormatError('refused', `entry ${JSON.stringify(path)} refused: ${reason}`);
    this.path = path;
    const regular = type === 0x30 || type === 0x37 || (type === 0 && !path.endsWith('/'));
    if (regular) {
      const accepted = this.accept(path);
      const maxEntry = this.limits.maxEntryBytes ?? Infinity;
      if (accepted && size > maxEntry) {
        throw new TarFormatError('too-large', `entry ${JSON.stringify(path)} is ${size} bytes, over the maxEntryBytes limit (${maxEntry})`);
      }
      this.begin(accepted ? Target.File : Target.Skip, size);
    } else if ((type >= 0x31 && type <= 0x36) || type === 0) {
      this.begin(Target.Skip, 0); // links, devices, directories, FIFOs: no data blocks
    } else {
      this.begin(Target.Skip, size); // other types (e.g. GNU sparse): skip their data
    }
  }

  private begin(target: Target, size: number): void {
    this.target = target;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) {
      this.onData(Buffer.alloc(0));
    } else {
      this.state = State.Data;
    }
  }

  private onData(data: Buffer): void {
    this.state = this.padding > 0 ? State.Padding : State.Header;
    switch (this.target) {
      case Target.File:
        this.onFile(this.path, data);
        break;
      case Target.LongName:
        this.longName = cString(data, 0, data.length);
        break;
      case Target.Pax: {
        const records = parsePax(data);
        const p = records.get('path');
        if (p !== undefined) this.paxPath = p;
        const s = records.get('size');
        if (s !== undefined) {
          if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw new TarFormatError('corrupt', `invalid pax size ${JSON.stringify(s)}`);
          this.paxSize = Number(s);
        }
        break;
      }
      default:
        break;
    }
  }
}

/** Why an entry path is unsafe, or null when it stays inside the target. */
export function unsafeEntryReason(entryPath: string): string | null {
  if (entryPath.length === 0) return 'empty path';
  if (isAbsolute(entryPath) || /^[A-Za-z]:/.test(entryPath) || entryPath.startsWith('\\')) return 'absolute path';
  if (entryPath.includes('..') && entryPath.split(/[\\/]+/).includes('..')) return "path contains '..'";
  return null;
}
