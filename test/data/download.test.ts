// download(): retries, Range resume after cut or stalled connections, checksum and
// size checks, atomic write; against a local HTTP server on 127.0.0.1 that fails on purpose.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { DownloadError, download } from '../../lib/data';
import { tempDir } from './helpers/fixtures';

const BODY = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
const SHA = createHash('sha256').update(BODY).digest('hex');
const FAST = { retryDelayMs: 5, progress: false as const };

interface Hit { url: string; range?: string }
let server: http.Server;
let base = '';
let hits: Hit[] = [];
const count = (url: string) => hits.filter((h) => h.url === url).length;

function sendFrom(req: http.IncomingMessage, res: http.ServerResponse, honourRange = true): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m && honourRange) {
    const start = Number(m[1]);
    res.writeHead(206, { 'content-length': BODY.length - start, 'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}` });
    res.end(BODY.subarray(start));
  } else {
    res.writeHead(200, { 'content-length': BODY.length });
    res.end(BODY);
  }
}

/** Sends `upTo` bytes of a full response, then cuts (`cut`) or goes silent (`stall`). */
function partial(res: http.ServerResponse, upTo: number, how: 'cut' | 'stall'): void {
  res.writeHead(200, { 'content-length': BODY.length });
  res.write(BODY.subarray(0, upTo), () => {
    if (how === 'cut') setTimeout(() => res.socket?.destroy(), 20);
  });
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.push({ url, range: req.headers.range });
    const n = count(url);
    switch (url) {
      case '/ok': return sendFrom(req, res);
      case '/flaky': return n <= 2 ? void res.writeHead(500).end('oops') : sendFrom(req, res);
      case '/always500': return void res.writeHead(503).end();
      case '/missing': return void res.writeHead(404).end();
      case '/cut': return n === 1 ? partial(res, 70_000, 'cut') : sendFrom(req, res);
      case '/cut-norange': return n === 1 ? partial(res, 70_000, 'cut') : sendFrom(req, res, false);
      case '/stall': return n === 1 ? partial(res, 50_000, 'stall') : sendFrom(req, res);
      case '/redirect': return void res.writeHead(302, { location: '/ok' }).end();
      default: return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));
beforeEach(() => {
  hits = [];
});

const target = () => path.join(tempDir(), 'cache', 'file.bin');

describe('download', () => {
  test('writes the verified file atomically; a second call does not fetch again', async () => {
    const dest = target();
    await download(`${base}/ok`, dest, { ...FAST, sha256: SHA, size: BODY.length });
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
    expect(fs.readdirSync(path.dirname(dest)).sort()).toEqual(['file.bin', 'file.bin.sha256']);
    await download(`${base}/ok`, dest, { ...FAST, sha256: SHA, size: BODY.length });
    expect(count('/ok')).toBe(1);
  });

  test('retries after HTTP 500', async () => {
    const dest = target();
    await download(`${base}/flaky`, dest, { ...FAST, sha256: SHA });
    expect(count('/flaky')).toBe(3);
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  test('resumes with a Range request after the connection is cut mid-body', async () => {
    const dest = target();
    await download(`${base}/cut`, dest, { ...FAST, sha256: SHA, size: BODY.length });
    const second = hits.filter((h) => h.url === '/cut')[1];
    expect(second.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(second.range as string)![0])).toBeGreaterThan(0);
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  test('restarts from zero when the server ignores Range', async () => {
    const dest = target();
    await download(`${base}/cut-norange`, dest, { ...FAST, sha256: SHA, size: BODY.length });
    expect(count('/cut-norange')).toBe(2);
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  test('a stalled connection times out and resumes', async () => {
    const dest = target();
    await download(`${base}/stall`, dest, { ...FAST, stallTimeoutMs: 300, sha256: SHA });
    expect(hits.filter((h) => h.url === '/stall')[1].range).toBe('bytes=50000-');
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  test('follows redirects', async () => {
    const dest = target();
    await download(`${base}/redirect`, dest, { ...FAST, sha256: SHA });
    expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  });

  test('HTTP 404 fails at once with the status, leaving nothing', async () => {
    const dest = target();
    const err = await download(`${base}/missing`, dest, FAST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).status).toBe(404);
    expect((err as Error).message).toMatch(/HTTP 404/);
    expect(count('/missing')).toBe(1);
    expect(fs.readdirSync(path.dirname(dest))).toEqual([]);
  });

  test('gives up after the retries, saying so', async () => {
    const dest = target();
    await expect(download(`${base}/always500`, dest, { ...FAST, retries: 2 })).rejects.toThrow(/HTTP 503.*gave up after 3 attempts/);
    expect(count('/always500')).toBe(3);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('a checksum mismatch removes the data and keeps no file', async () => {
    const dest = target();
    const err = await download(`${base}/ok`, dest, { ...FAST, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect((err as DownloadError).code).toBe('CHECKSUM');
    expect((err as Error).message).toMatch(/sha256 mismatch/);
    expect(fs.readdirSync(path.dirname(dest))).toEqual([]);
  });

  test('a size mismatch is refused too', async () => {
    const dest = target();
    await expect(download(`${base}/ok`, dest, { ...FAST, size: BODY.length + 1 })).rejects.toThrow();
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('prints a progress bar with bytes, rate and ETA', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await download(`${base}/ok`, target(), { retryDelayMs: 5, progress: out, size: BODY.length });
    expect(text).toMatch(/file\.bin: 100%\|█+\| 195k\/195k \[\d\d:\d\d<\d\d:\d\d, [\d.]+[kM]?B\/s\]/);
  });

  test('bad arguments name the parameter', async () => {
    await expect(download('ftp://x', target())).rejects.toThrow(/Expected an http:\/\/ or https:\/\/ URL for url but received string "ftp:\/\/x"/);
    await expect(download(`${base}/ok`, target(), { sha256: 'abc' })).rejects.toThrow(/Expected a 64-digit hex sha256 for options\.sha256 but received string "abc"/);
  });
});
