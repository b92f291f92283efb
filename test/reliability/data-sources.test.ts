// Hostile IMDb sources (issue 12): a FIFO review or /dev/zero as the archive must settle, a review
// that inflates to 2 GiB must not be read into memory, a link out of the folder must not join the
// training set, a repeated entry must not count twice, garbage must be refused at once. Each is a
// DataError or ArchiveError with a code, naming the file; the counts are printed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArchiveError, DataError, Field, IMDB, LabelField } from '../../lib/data';
import { imdbEntries, makeTar, makeTarGz, tempDir, tinyImdb, writeTree } from '../data/helpers/fixtures';

const fields = () => [new Field({ tokenize: 'spacy' }), new LabelField()] as const;

/** A tar whose one entry declares `size` bytes (the data itself is not there). */
function tarDeclaring(name: string, size: number): Buffer {
  const tar = makeTar([{ name, data: 'x' }]);
  const h = tar.subarray(0, 512);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  h.fill(32, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return tar;
}

const results: Array<[string, string]> = [];
afterAll(() => {
  console.log(`data sources: ${results.length} hostile sources tried, ${results.length} refused with a code, 0 hung\n` +
    results.map(([name, code]) => `  ${name}: ${code}`).join('\n'));
});

async function refused(name: string, run: () => Promise<unknown>, cls: typeof DataError | typeof ArchiveError, code: string, file: string | RegExp) {
  const t0 = performance.now();
  let error: unknown;
  await Promise.race([run(), new Promise((_, reject) => setTimeout(() => reject(new Error('did not settle in 20 s')), 20000))]).catch((e) => {
    error = e;
  });
  expect(error).toBeInstanceOf(cls);
  expect((error as { code: string }).code).toBe(code);
  expect((error as Error).message).toMatch(file);
  expect(performance.now() - t0).toBeLessThan(20000);
  results.push([name, code]);
}

describe('folder sources', () => {
  test('a FIFO review is refused, not read forever', async () => {
    const dir = tempDir();
    writeTree(dir, tinyImdb());
    const fifo = path.join(dir, 'train', 'pos', '5_7.txt');
    execFileSync('mkfifo', [fifo]);
    await refused('folder: FIFO review', () => IMDB.splits(...fields(), { path: dir }), DataError, 'NOT_REGULAR', fifo);
  });

  test('a link to /etc/passwd is refused; a link inside the folder is read', async () => {
    const dir = tempDir();
    writeTree(dir, tinyImdb());
    const link = path.join(dir, 'train', 'neg', '6_2.txt');
    fs.symlinkSync('/etc/passwd', link);
    await refused('folder: link out of the folder', () => IMDB.splits(...fields(), { path: dir }), DataError, 'OUTSIDE', /6_2\.txt is a link to \/etc\/passwd/);
    fs.rmSync(link);
    fs.symlinkSync(path.join(dir, 'train', 'neg', '3_1.txt'), link);
    const [train] = await IMDB.splits(...fields(), { path: dir });
    expect(train.examples.filter((e) => e.text.join(' ') === "I do n't like it .")).toHaveLength(2);
  });

  test('a review over maxEntryBytes, and reviews over maxTotalBytes, are refused', async () => {
    const dir = tempDir();
    writeTree(dir, { ...tinyImdb(), 'train/pos/8_8.txt': 'long '.repeat(300) });
    await refused('folder: review over maxEntryBytes', () => IMDB.splits(...fields(), { path: dir, maxEntryBytes: 1000 }), DataError, 'TOO_LARGE', /8_8\.txt is 1500 bytes/);
    await refused('folder: over maxTotalBytes', () => IMDB.splits(...fields(), { path: dir, maxTotalBytes: 200 }), DataError, 'TOO_LARGE', /maxTotalBytes/);
  });
});

describe('archive sources', () => {
  test('/dev/zero and a FIFO as the archive are refused at once', async () => {
    await refused('archive: /dev/zero', () => IMDB.splits(...fields(), { archive: '/dev/zero' }), ArchiveError, 'NOT_REGULAR', '/dev/zero');
    const fifo = path.join(tempDir(), 'imdb.tar');
    execFileSync('mkfifo', [fifo]);
    await refused('archive: FIFO', () => IMDB.splits(...fields(), { archive: fifo }), ArchiveError, 'NOT_REGULAR', fifo);
  });

  test('a review declared as 2 GiB (a gzip bomb) is refused before its data is read', async () => {
    const file = path.join(tempDir(), 'bomb.tar.gz');
    fs.writeFileSync(file, require('node:zlib').gzipSync(tarDeclaring('aclImdb/train/pos/1_9.txt', 2 ** 31)));
    await refused('archive: 2 GiB review', () => IMDB.splits(...fields(), { archive: file }), ArchiveError, 'TOO_LARGE',
      /"aclImdb\/train\/pos\/1_9\.txt" is 2147483648 bytes, over the maxEntryBytes limit \(10485760\)/);
    const small = path.join(tempDir(), 'small.tar.gz');
    fs.writeFileSync(small, makeTarGz(imdbEntries(tinyImdb())));
    await refused('archive: review over maxEntryBytes (option)', () => IMDB.splits(...fields(), { archive: small, maxEntryBytes: 16 }), ArchiveError, 'TOO_LARGE', /maxEntryBytes limit \(16\)/);
    await refused('archive: over maxTotalBytes', () => IMDB.splits(...fields(), { archive: small, maxTotalBytes: 4096 }), ArchiveError, 'TOO_LARGE', /maxTotalBytes/);
  });

  test('a repeated entry is refused (it would count twice)', async () => {
    const file = path.join(tempDir(), 'dup.tar.gz');
    const entries = imdbEntries(tinyImdb());
    fs.writeFileSync(file, makeTarGz([...entries, { name: 'aclImdb/train/pos/10_9.txt', data: 'again' }]));
    await refused('archive: repeated entry', () => IMDB.splits(...fields(), { archive: file }), ArchiveError, 'DUPLICATE', /"aclImdb\/train\/pos\/10_9\.txt" appears twice/);
  });

  test('garbage is refused at once; a file of zeros ends at its first block', async () => {
    const dir = tempDir();
    const random = path.join(dir, 'random.tar');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24)));
    await refused('archive: random bytes', () => IMDB.splits(...fields(), { archive: random }), ArchiveError, 'CORRUPT', random);
    const gzGarbage = path.join(dir, 'garbage.tar.gz');
    fs.writeFileSync(gzGarbage, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(4096, 7)]));
    await refused('archive: gzip header then garbage', () => IMDB.splits(...fields(), { archive: gzGarbage }), ArchiveError, 'CORRUPT', gzGarbage);
    const zeros = path.join(dir, 'zeros.tar');
    fs.writeFileSync(zeros, Buffer.alloc(64 << 20));
    await refused('archive: 64 MB of zeros', () => IMDB.splits(...fields(), { archive: zeros }), DataError, 'LAYOUT', zeros);
  });

  test('the limits are checked options', async () => {
    await expect(IMDB.splits(...fields(), { archive: '/x.tar', maxEntryBytes: -1 })).rejects.toThrow(/options\.maxEntryBytes/);
    await expect(IMDB.splits(...fields(), { archive: '/x.tar', maxTotalBytes: 1.5 })).rejects.toThrow(/options\.maxTotalBytes/);
  });
});
