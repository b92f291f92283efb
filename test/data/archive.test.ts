// readArchiveFiles: the streaming tar reader (lib/data/tar.ts) behind IMDB.splits,
// on archives the tests build byte by byte: formats, chunking, unsafe paths and
// every kind of damage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArchiveError, readArchiveFiles } from '../../lib/data';
import { TarFormatError, TarParser } from '../../lib/data/tar';
import { TarEntry, makeTar, makeTarGz, paxRecords, tempDir } from './helpers/fixtures';

const dir = tempDir('ts-archive-');
let counter = 0;

function write(bytes: Buffer, ext = '.tar.gz'): string {
  const file = path.join(dir, `a${counter++}${ext}`);
  fs.writeFileSync(file, bytes);
  return file;
}

async function readAll(file: string, accept: (p: string) => boolean = () => true): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  await readArchiveFiles(file, accept, (p, contents) => out.push([p, contents.toString('utf8')]));
  return out;
}

/** Runs the parser on `bytes` cut into pieces of `size`, returns what it handed over. */
function parseInPieces(bytes: Buffer, size: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const parser = new TarParser(() => true, (p, c) => out.push([p, c.toString('latin1')]));
  for (let i = 0; i < bytes.length; i += size) parser.write(bytes.subarray(i, i + size));
  parser.end();
  return out;
}

describe('readArchiveFiles', () => {
  const big = Buffer.alloc(700_000, 'x'); // spans several 256 KiB gunzipped chunks
  big.write('start', 0);
  big.write('end', big.length - 3);
  const entries: TarEntry[] = [
    { name: 'top/', type: '5' },
    { name: 'top/a.txt', data: 'alpha' },
    { name: 'top/empty.txt', data: '' },
    { name: 'top/link', type: '2', linkname: 'a.txt' },
    { name: 'top/big.bin', data: big },
    { name: 'top/contiguous.txt', type: '7', data: 'seven' },
    { name: 'top/utf8-é.txt', data: 'naïve' },
  ];

  test('hands over regular files in archive order, skips links and folders, filters by path', async () => {
    const file = write(makeTarGz(entries));
    const all = await readAll(file);
    expect(all.map(([p]) => p)).toEqual(['top/a.txt', 'top/empty.txt', 'top/big.bin', 'top/contiguous.txt', 'top/utf8-é.txt']);
    expect(all[0][1]).toBe('alpha');
    expect(all[1][1]).toBe('');
    expect(all[2][1]).toBe(big.toString('utf8'));
    expect(all[4][1]).toBe('naïve');
    expect((await readAll(file, (p) => p.endsWith('.txt'))).map(([p]) => p)).toEqual(
      ['top/a.txt', 'top/empty.txt', 'top/contiguous.txt', 'top/utf8-é.txt']);
  });

  test('reads a plain .tar the same as the .tar.gz', async () => {
    const tar = write(makeTar(entries), '.tar');
    const gz = write(makeTarGz(entries));
    expect(await readAll(tar)).toEqual(await readAll(gz));
  });

  test('gives the same files whatever the chunk boundaries', () => {
    const tar = makeTar(entries.map((e) => (e.name === 'top/big.bin' ? { ...e, data: big.subarray(0, 3000) } : e)));
    const whole = parseInPieces(tar, tar.length);
    expect(whole.length).toBe(5);
    for (const size of [1, 7, 511, 512, 513, 1000, 4096]) expect(parseInPieces(tar, size)).toEqual(whole);
  });

  test('GNU long names, pax paths and sizes, ustar prefixes', async () => {
    const long = `top/${'d'.repeat(120)}/file.txt`;
    const paxLong = `top/${'p'.repeat(150)}/é.txt`;
    const file = write(makeTarGz([
      { name: '././@LongLink', type: 'L', data: `${long}\0` },
      { name: 'top/truncated-name', data: 'from a long name' },
      { name: 'PaxHeader/x', type: 'x', data: paxRecords({ path: paxLong, mtime: '1306886400.5' }) },
      { name: 'top/short', data: 'from pax' },
      { name: 'global', type: 'g', data: paxRecords({ comment: 'ignored' }) },
      { name: 'file.txt', prefix: 'top/prefixed', data: 'from a prefix' },
      { name: 'top/after.txt', data: 'plain again' },
    ]));
    expect(await readAll(file)).toEqual([
      [long, 'from a long name'],
      [paxLong, 'from pax'],
      ['top/prefixed/file.txt', 'from a prefix'],
      ['top/after.txt', 'plain again'],
    ]);
  });

  test('a pax size overrides the header size', () => {
    const tar = makeTar([
      { name: 'PaxHeader/x', type: 'x', data: paxRecords({ size: '3' }) },
      { name: 'f.txt', data: 'abc' },
    ]);
    // Claim 0 bytes in the ustar header (as writers do for sizes over 8 GiB): the pax size wins.
    const h = 1024; // second header: after the pax header block and its one data block
    tar.write('00000000000\0', h + 124, 'ascii');
    let sum = 0;
    tar.write('        ', h + 148, 'ascii');
    for (let i = h; i < h + 512; i++) sum += tar[i];
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, h + 148, 'ascii');
    expect(parseInPieces(tar, 100)).toEqual([['f.txt', 'abc']]);
  });

  test('unsafe entry paths are refused by name', async () => {
    for (const [name, reason] of [['../escaped.txt', /path contains '\.\.'/], ['/etc/passwd', /absolute path/],
      ['top/../../x', /path contains '\.\.'/]] as const) {
      const file = write(makeTarGz([{ name: 'top/ok.txt', data: 'ok' }, { name, data: 'evil' }]));
      const err = await readAll(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as Error).message).toMatch(new RegExp(`entry ${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} refused`));
      expect((err as Error).message).toMatch(reason);
    }
  });

  test('truncated archives: mid-data, mid-header, at an entry boundary, empty', async () => {
    const tar = makeTar([{ name: 'a.txt', data: 'x'.repeat(2000) }, { name: 'b.txt', data: 'y' }]);
    const cases: Array<[Buffer, RegExp]> = [
      [tar.subarray(0, 1200), /unexpected end of archive in the data of "a\.txt"/],
      [tar.subarray(0, 2560 + 100), /unexpected end of archive in a header/],
      [tar.subarray(0, 2560 + 1024), /no end-of-archive block/], // both entries whole, no zero block
      [Buffer.alloc(0), /the archive is empty/],
    ];
    for (const [bytes, message] of cases) {
      for (const [data, ext] of [[bytes, '.tar'], [zlib.gzipSync(bytes), '.tar.gz']] as const) {
        const err = await readAll(write(data, ext)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ArchiveError);
        expect((err as Error).message).toMatch(/truncated or corrupt/);
        expect((err as Error).message).toMatch(message);
      }
    }
    const gz = zlib.gzipSync(tar);
    const cut = await readAll(write(gz.subarray(0, gz.length - 10))).catch((e: unknown) => e);
    expect((cut as Error).message).toMatch(/truncated or corrupt: unexpected end of file/);
  });

  test('corrupt headers and streams give clear errors', async () => {
    const tar = makeTar([{ name: 'a.txt', data: 'alpha' }, { name: 'b.txt', data: 'beta' }]);
    const badSum = Buffer.from(tar);
    badSum[1024 + 3] ^= 0x20; // a byte of the second header's name
    await expect(readAll(write(badSum, '.tar'))).rejects.toThrow(/truncated or corrupt: invalid tar header at byte 1024 \(checksum mismatch\)/);
    const badSize = Buffer.from(tar);
    badSize.write('0000000009x\0', 124, 'ascii');
    await expect(readAll(write(badSize, '.tar'))).rejects.toThrow(/invalid size field|checksum/);
    const notTar = write(Buffer.from('just some text, not an archive\n'.repeat(40)), '.tar');
    await expect(readAll(notTar)).rejects.toThrow(/invalid tar header at byte 0/);
    const gz = zlib.gzipSync(tar);
    const flipped = Buffer.from(gz);
    flipped[gz.length - 6] ^= 0xff; // the CRC
    await expect(readAll(write(flipped))).rejects.toThrow(ArchiveError);
    const badPax = write(makeTarGz([{ name: 'x', type: 'x', data: '99 path=oops\n' }, { name: 'a', data: 'a' }]));
    await expect(readAll(badPax)).rejects.toThrow(/malformed pax extended header/);
  });

  test('stops at the first zero block, like tarfile; what follows is not read', async () => {
    const first = makeTar([{ name: 'a.txt', data: 'alpha' }]);
    const file = write(zlib.gzipSync(Buffer.concat([first, makeTar([{ name: 'b.txt', data: 'beta' }])])));
    expect(await readAll(file)).toEqual([['a.txt', 'alpha']]);
  });

  test("errors thrown by onFile reject as they are; a missing file says so", async () => {
    const file = write(makeTarGz(entries));
    const boom = new Error('boom');
    await expect(readArchiveFiles(file, () => true, () => {
      throw boom;
    })).rejects.toBe(boom);
    await expect(readAll(path.join(dir, 'missing.tar.gz'))).rejects.toThrow(/cannot be read: ENOENT/);
    expect(() => readArchiveFiles(file, 'x' as unknown as () => boolean, () => undefined)).toThrow(TypeError);
  });

  test('TarParser.end before the end block throws TarFormatError', () => {
    const parser = new TarParser(() => true, () => undefined);
    parser.write(makeTar([{ name: 'a', data: 'a' }]).subarray(0, 1024));
    expect(() => parser.end()).toThrow(TarFormatError);
  });
});
