/**
 * Downloads a file into a cache folder: progress bar (bytes, rate, ETA),
 * retries with HTTP Range resume after dropped or stalled connections, size
 * and sha256 verification, and an atomic rename, so that a file at `dest`
 * is always complete and verified and a second run never downloads again.
 * Partial data lives in `dest + '.part'` until verified.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProgressBar } from './progress';
import { checkInteger, checkKeys, checkObject, checkNonEmptyString, invalid, optional } from '../validate';

/** Cache folder: `$TORCH_SENTIMENT_HOME`, else `~/.cache/torch-sentiment`. */
export function cacheDir(): string {
  const env = process.env.TORCH_SENTIMENT_HOME;
  return env && env.length > 0 ? path.resolve(env) : path.join(os.homedir(), '.cache', 'torch-sentiment');
}

export type DownloadErrorCode = 'HTTP_STATUS' | 'NETWORK' | 'CHECKSUM' | 'SIZE' | 'REDIRECTS';

export class DownloadError extends Error {
  readonly code: DownloadErrorCode;
  readonly url: string;
  readonly status: number | undefined;
  /** Whether another attempt may succeed (network faults, 5xx). */
  readonly retryable: boolean;

  constructor(code: DownloadErrorCode, url: string, message: string, options: { status?: number; retryable?: boolean } = {}) {
    super(message);
    this.name = 'DownloadError';
    this.code = code;
    this.url = url;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

export interface DownloadOptions {
  /** Expected sha256 (hex); verified before the file is kept. */
  sha256?: string;
  /** Expected size in bytes; verified before the file is kept. */
  size?: number;
  /** Attempts after the first one for network faults and 5xx; default 5. */
  retries?: number;
  /** First wait between attempts (doubles each time, capped at 30 s); default 1000 ms. */
  retryDelayMs?: number;
  /** Abort an attempt after this long without data; default 30000 ms. */
  stallTimeoutMs?: number;
  /** true (default: stderr), false, or a stream for the progress bar. */
  progress?: boolean | NodeJS.WritableStream;
  /** Redirects followed per attempt; default 5. */
  maxRedirects?: number;
}

const KNOWN = ['sha256', 'size', 'retries', 'retryDelayMs', 'stallTimeoutMs', 'progress', 'maxRedirects'] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Attempt {
  /** Bytes now in the part file. */
  bytes: number;
  /** Total size announced by the server, if any. */
  total: number | undefined;
}

/** One HTTP attempt: appends to `part` from its current size. Resolves when the body ended. */
function attempt(url: string, part: string, o: Required<Pick<DownloadOptions, 'stallTimeoutMs' | 'maxRedirects'>>,
  onData: (n: number, total: number | undefined, offset: number) => void, redirects = 0): Promise<Attempt> {
  return new Promise<Attempt>((resolve, reject) => {
    const offset = fileSize(part);
    const lib = url.startsWith('https:') ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'torch-sentiment', 'accept-encoding': 'identity' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let settled = false;
    let out: fs.WriteStream | undefined;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      // Flush what was received so the next attempt resumes from the right offset.
      if (out !== undefined && !out.destroyed) out.end(() => reject(e));
      else reject(e);
    };
    const req = lib.get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= o.maxRedirects) {
          fail(new DownloadError('REDIRECTS', url, `download ${url}: more than ${o.maxRedirects} redirects`));
          return;
        }
        settled = true;
        attempt(new URL(res.headers.location, url).toString(), part, o, onData, redirects + 1).then(resolve, reject);
        return;
      }
      if (status === 416 && offset > 0) {
        // Range not satisfiable: the part file is complete (or wrong); let the caller decide.
        res.resume();
        const m = /\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
        settled = true;
        resolve({ bytes: offset, total: m ? Number(m[1]) : undefined });
        return;
      }
      if (status !== 200 && status !== 206) {
        res.resume();
        const retryable = status >= 500 || status === 408 || status === 429;
        fail(new DownloadError('HTTP_STATUS', url, `download ${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim(), { status, retryable }));
        return;
      }
      let start = 0;
      let total: number | undefined;
      const length = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
      if (status === 206) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
        if (!m || Number(m[1]) !== offset) {
          fs.rmSync(part, { force: true });
          fail(new DownloadError('NETWORK', url, `download ${url}: server resumed at the wrong offset (${String(res.headers['content-range'])}); restarting`, { retryable: true }));
          return;
        }
        start = offset;
        total = m[3] === '*' ? undefined : Number(m[3]);
      } else {
        total = length; // 200: the whole file, from byte 0
      }
      const file = fs.createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
      out = file;
      let received = 0;
      onData(0, total, start);
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        onData(chunk.length, total, start);
      });
      res.on('aborted', () => fail(new DownloadError('NETWORK', url, `download ${url}: connection closed after ${start + received} bytes`, { retryable: true })));
      res.on('error', (e) => fail(new DownloadError('NETWORK', url, `download ${url}: ${e.message}`, { retryable: true })));
      file.on('error', (e) => fail(e));
      res.pipe(file);
      file.on('finish', () => {
        if (settled) return;
        if (length !== undefined && received < length) {
          fail(new DownloadError('NETWORK', url, `download ${url}: connection closed after ${start + received} of ${start + length} bytes`, { retryable: true }));
          return;
        }
        settled = true;
        resolve({ bytes: start + received, total });
      });
    });
    req.setTimeout(o.stallTimeoutMs, () => {
      fail(new DownloadError('NETWORK', url, `download ${url}: no data for ${o.stallTimeoutMs} ms`, { retryable: true }));
    });
    req.on('error', (e) => fail(new DownloadError('NETWORK', url, `download ${url}: ${e.message}`, { retryable: true })));
  });
}

/**
 * Downloads `url` to `dest` (created atomically) unless `dest` already exists
 * with the expected size and sha256 (hashed once, then trusted while its
 * size and mtime match the `dest + '.sha256'` stamp). Returns `dest`.
 */
export async function download(url: string, dest: string, options?: DownloadOptions): Promise<string> {
  checkNonEmptyString('url', url);
  if (!/^https?:\/\//.test(url)) throw invalid('url', 'an http:// or https:// URL', url);
  checkNonEmptyString('dest', dest);
  const o = checkObject('options', options);
  checkKeys('download options', o, KNOWN);
  const sha256 = optional<string | undefined>(o.sha256, undefined, (v) => {
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) throw invalid('options.sha256', 'a 64-digit hex sha256', v);
    return v.toLowerCase();
  });
  const size = optional<number | undefined>(o.size, undefined, (v) => checkInteger('options.size', v, 0));
  const retries = optional(o.retries, 5, (v) => checkInteger('options.retries', v, 0, 100));
  const retryDelayMs = optional(o.retryDelayMs, 1000, (v) => checkInteger('options.retryDelayMs', v, 0));
  const stallTimeoutMs = optional(o.stallTimeoutMs, 30000, (v) => checkInteger('options.stallTimeoutMs', v, 1));
  const maxRedirects = optional(o.maxRedirects, 5, (v) => checkInteger('options.maxRedirects', v, 0, 50));
  const progress = o.progress === undefined ? true : o.progress;
  if (typeof progress !== 'boolean' && (typeof progress !== 'object' || progress === null || typeof (progress as NodeJS.WritableStream).write !== 'function')) {
    throw invalid('options.progress', 'a boolean or a writable stream', progress);
  }

  if (fs.existsSync(dest)) {
    if ((size === undefined || fileSize(dest) === size) && (sha256 === undefined || await cachedFileVerified(dest, sha256))) return dest;
    fs.rmSync(dest, { force: true }); // not what we expect: fetch it again
    fs.rmSync(stampPath(dest), { force: true });
  }
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  if (size !== undefined && fileSize(part) > size) fs.rmSync(part, { force: true });

  let bar: ProgressBar | undefined;
  const onData = (n: number, total: number | undefined, offset: number) => {
    if (progress === false) return;
    if (bar === undefined) {
      bar = new ProgressBar({
        total: size ?? total ?? undefined, desc: path.basename(dest), unit: 'B', unitScale: true, unitDivisor: 1024,
        stream: progress === true ? process.stderr : (progress as NodeJS.WritableStream),
      });
      if (offset > 0) bar.tick(offset);
    }
    if (n > 0) bar.tick(n);
  };

  let lastError: Error | undefined;
  try {
    for (let i = 0; i <= retries; i++) {
      if (i > 0) await sleep(Math.min(30000, retryDelayMs * 2 ** (i - 1)));
      try {
        const r = await attempt(url, part, { stallTimeoutMs, maxRedirects }, onData);
        const expected = size ?? r.total;
        if (expected !== undefined && r.bytes < expected) {
          lastError = new DownloadError('NETWORK', url, `download ${url}: got ${r.bytes} of ${expected} bytes`, { retryable: true });
          continue;
        }
        lastError = undefined;
        break;
      } catch (e) {
        lastError = e as Error;
        if (!(e instanceof DownloadError) || !e.retryable) throw e;
      }
    }
  } finally {
    bar?.close();
  }
  if (lastError) {
    throw new DownloadError((lastError as DownloadError).code ?? 'NETWORK', url,
      `${lastError.message} (gave up after ${retries + 1} attempts; ${fileSize(part)} bytes kept in ${part} to resume next time)`,
      { status: (lastError as DownloadError).status });
  }

  const got = fileSize(part);
  if (size !== undefined && got !== size) {
    fs.rmSync(part, { force: true });
    throw new DownloadError('SIZE', url, `download ${url}: expected ${size} bytes, got ${got}; the partial file was removed`);
  }
  if (sha256 !== undefined) {
    const actual = await sha256File(part);
    if (actual !== sha256) {
      fs.rmSync(part, { force: true });
      throw new DownloadError('CHECKSUM', url, `download ${url}: sha256 mismatch (expected ${sha256}, got ${actual}); the file was removed`);
    }
  }
  fs.renameSync(part, dest);
  if (sha256 !== undefined) writeStamp(dest, sha256);
  return dest;
}

/**
 * `dest + '.sha256'`: the sha256 a file was verified to have, with its size and mtime then, so a
 * cached file is hashed once, and again only when it changed (a size match alone proves nothing:
 * a file truncated and padded, or replaced, keeps its size).
 */
function stampPath(dest: string): string {
  return `${dest}.sha256`;
}

interface Stamp {
  sha256: string;
  size: number;
  mtimeMs: number;
}

function writeStamp(dest: string, sha256: string): void {
  const st = fs.statSync(dest);
  const stamp: Stamp = { sha256, size: st.size, mtimeMs: st.mtimeMs };
  try {
    fs.writeFileSync(stampPath(dest), JSON.stringify(stamp) + '\n');
  } catch {
    // a read-only cache: the file is verified again next time
  }
}

/** Whether the cached `dest` has the sha256 `expected`: from its stamp when the file is unchanged since, else hashed (and stamped). */
async function cachedFileVerified(dest: string, expected: string): Promise<boolean> {
  const st = fs.statSync(dest);
  try {
    const stamp = JSON.parse(fs.readFileSync(stampPath(dest), 'utf8')) as Stamp;
    if (stamp.sha256 === expected && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs) return true;
  } catch {
    // no stamp, or an unreadable one: hash the file
  }
  if (!st.isFile() || (await sha256File(dest)) !== expected) return false;
  writeStamp(dest, expected);
  return true;
}
