// download() and a cached file (issue 12): a file whose size matches but whose bytes differ is not
// trusted; its sha256 is verified once and recorded beside it, and verified again when it changed.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { download } from '../../lib/data';
import { tempDir } from '../data/helpers/fixtures';

const BODY = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31) % 251));
const SHA = createHash('sha256').update(BODY).digest('hex');
let server: http.Server;
let base = '';
let hits = 0;

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-length': BODY.length });
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const opts = { sha256: SHA, size: BODY.length, progress: false as const, retryDelayMs: 1 };

test('a same-size file with other bytes is fetched again; an unchanged one is trusted by its stamp', async () => {
  const dest = path.join(tempDir(), 'cache', 'a.bin');
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const forged = Buffer.alloc(BODY.length, 0x41);
  fs.writeFileSync(dest, forged); // what a size check alone accepted
  hits = 0;
  await download(base, dest, opts);
  expect(hits).toBe(1);
  expect(fs.readFileSync(dest).equals(BODY)).toBe(true);
  const stamp = JSON.parse(fs.readFileSync(`${dest}.sha256`, 'utf8'));
  expect(stamp).toMatchObject({ sha256: SHA, size: BODY.length });

  // Unchanged: no fetch, and no hashing either (a stamp that lies about the hash is believed only
  // while size and mtime match: proven by editing the file in place below).
  await download(base, dest, opts);
  expect(hits).toBe(1);

  // Changed in place, same size: the stamp no longer matches its mtime, the hash is checked, refetched.
  const fd = fs.openSync(dest, 'r+');
  fs.writeSync(fd, Buffer.from('XX'), 0, 2, 100);
  fs.closeSync(fd);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(dest, later, later);
  await download(base, dest, opts);
  expect(hits).toBe(2);
  expect(fs.readFileSync(dest).equals(BODY)).toBe(true);

  // A file that was placed by hand (no stamp) and is right: hashed once, stamped, not fetched.
  fs.rmSync(`${dest}.sha256`);
  await download(base, dest, opts);
  expect(hits).toBe(2);
  expect(fs.existsSync(`${dest}.sha256`)).toBe(true);
});
