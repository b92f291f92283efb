// Pretrained vectors (lib/data/vectors.ts): GloVe .txt and .vec files the tests write, plain, .gz, in a
// .zip (deflated) and over http; torchtext's rules for headers, duplicates, dimensions and non-UTF-8
// words; Field.buildVocab's vectors and unkInit.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { Field, Vectors } from '../../lib/data';
import { crc32 } from '../../lib/checkpoint/zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vectors-'));
const GLOVE = 'the 0.1 0.2 0.3\nfilm -1 0.5 2e-1\ngreat 1 1 1\n';

function write(name: string, contents: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, contents);
  return file;
}

/** A zip of deflated entries, as zip tools (and glove.6B.zip) make them. */
function zip(entries: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const deflated = zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data) >>> 0, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc32(data) >>> 0, 16);
    cd.writeUInt32LE(deflated.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, nameBuf);
    parts.push(local, nameBuf, deflated);
    offset += 30 + nameBuf.length + deflated.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

describe('Vectors.load', () => {
  test('GloVe .txt', async () => {
    const v = await Vectors.load(write('glove.txt', GLOVE));
    expect(v.itos).toEqual(['the', 'film', 'great']);
    expect(v.dim).toBe(3);
    expect(Array.from(v.get('film') as Float32Array)).toEqual([-1, 0.5, Math.fround(0.2)]);
    expect(v.get('unknown')).toBeUndefined();
  });

  test('.vec with a header line, CRLF and trailing spaces', async () => {
    const v = await Vectors.load(write('wiki.vec', '3 2\r\nthe 0.5 0.25 \r\nfilm 1 2\r\nof 3 4'));
    expect(v.itos).toEqual(['the', 'film', 'of']);
    expect(Array.from(v.get('of') as Float32Array)).toEqual([3, 4]);
  });

  test('a word read twice keeps its last vector (torchtext)', async () => {
    const v = await Vectors.load(write('dup.txt', 'a 1 1\nb 2 2\na 3 3\n'));
    expect(v.itos).toEqual(['a', 'b']);
    expect(Array.from(v.get('a') as Float32Array)).toEqual([3, 3]);
  });

  test('a line of another dimension is a clear error', async () => {
    await expect(Vectors.load(write('bad-dim.txt', 'a 1 1 1\nb 2 2\n'))).rejects.toThrow(/line 2: the vector of "b" has 2 dimensions, but the previous vectors have 3/);
    await expect(Vectors.load(write('bad-num.txt', 'a 1 1\nb 2 x\n'))).rejects.toThrow(/line 2: value 2 of "b" is not a number: "x"/);
    await expect(Vectors.load(write('empty.txt', '\n\n'))).rejects.toThrow(/holds no vectors/);
    await expect(Vectors.load(path.join(dir, 'missing.txt'))).rejects.toThrow(/does not exist/);
  });

  test('non-UTF-8 words are skipped (torchtext), UTF-8 ones kept', async () => {
    const bytes = Buffer.concat([Buffer.from('café 1 2\n'), Buffer.from([0xff, 0xfe, 0x20]), Buffer.from('3 4\nok 5 6\n')]);
    const v = await Vectors.load(write('latin.txt', bytes));
    expect(v.itos).toEqual(['café', 'ok']);
  });

  test('maxVectors keeps the first ones', async () => {
    const v = await Vectors.load(write('glove2.txt', GLOVE), { maxVectors: 2 });
    expect(v.itos).toEqual(['the', 'film']);
  });

  test('.gz and .zip (deflated; the entry chosen by name when there are several)', async () => {
    const gz = await Vectors.load(write('glove.txt.gz', zlib.gzipSync(GLOVE)));
    expect(gz.itos).toEqual(['the', 'film', 'great']);
    const one = await Vectors.load(write('one.zip', zip([['glove.6B.3d.txt', Buffer.from(GLOVE)]])));
    expect(Array.from(one.get('great') as Float32Array)).toEqual([1, 1, 1]);
    const two = write('two.zip', zip([['a.txt', Buffer.from(GLOVE)], ['b.txt', Buffer.from('x 1 2\n')]]));
    await expect(Vectors.load(two)).rejects.toThrow(/holds 2 .txt\/.vec files \(a.txt, b.txt\): pass options.entry/);
    expect((await Vectors.load(two, { entry: 'b.txt' })).itos).toEqual(['x']);
    await expect(Vectors.load(two, { entry: 'c.txt' })).rejects.toThrow(/has no entry "c.txt"/);
    await expect(Vectors.load(write('not.zip', 'hello'))).rejects.toThrow(/not a zip archive/);
    const gzBytes = zlib.gzipSync(GLOVE.repeat(50));
    await expect(Vectors.load(write('cut.txt.gz', gzBytes.subarray(0, gzBytes.length - 30)))).rejects.toThrow(/cut.txt.gz cannot be read: unexpected end of file/);
    const first = (await Vectors.load(write('many.txt.gz', zlib.gzipSync(GLOVE.repeat(5000))), { maxVectors: 1 })).itos;
    expect(first).toEqual(['the']);
  });

  test('from a URL, downloaded once into the cache', async () => {
    let hits = 0;
    const server = http.createServer((req, res) => {
      hits++;
      res.end(GLOVE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/glove.mini.txt`;
      const cache = path.join(dir, 'cache');
      const v = await Vectors.load(url, { cache, progress: false });
      expect(v.itos).toEqual(['the', 'film', 'great']);
      expect(fs.existsSync(path.join(cache, 'glove.mini.txt'))).toBe(true);
      await Vectors.load(url, { cache, progress: false });
      expect(hits).toBe(1);
      await expect(Vectors.load(url.replace('mini', 'other'), { cache, progress: false, sha256: '0'.repeat(64) })).rejects.toThrow(/sha256|checksum/i);
    } finally {
      server.close();
    }
  });

  test('bad options name themselves', async () => {
    await expect(Vectors.load('')).rejects.toThrow(/source/);
    await expect(Vectors.load(path.join(dir, 'glove.txt'), { maxVectors: 0 })).rejects.toThrow(/options.maxVectors/);
    await expect(Vectors.load(path.join(dir, 'glove.txt'), { bogus: 1 } as object)).rejects.toThrow(/bogus/);
  });
});

describe('Field.buildVocab with vectors', () => {
  test('vocab.vectors: pretrained rows, unkInit for the others (as the tutorial)', async () => {
    const vectors = await Vectors.load(write('glove3.txt', GLOVE));
    const TEXT = new Field({ tokenize: 'whitespace' });
    const examples = ['the film', 'the plot', 'great great film'].map((t) => ({ text: TEXT.preprocess(t) }));
    const vocab = TEXT.buildVocab({ fields: { text: TEXT }, examples }, { maxSize: 10, vectors, unkInit: 'normal' });
    const m = vocab.vectors;
    expect(m?.shape).toEqual([vocab.length, 3]);
    expect(m?.dtype).toBe('float32');
    const rows = m?.toArray() as number[][];
    expect(rows[vocab.stoi.get('film')]).toEqual([-1, 0.5, Math.fround(0.2)]);
    expect(rows[vocab.stoi.get('plot')].some((x) => x !== 0)).toBe(true); // not in GloVe: normal
    expect(rows[vocab.stoi.get('<pad>')].some((x) => x !== 0)).toBe(true); // the tutorial zeroes it in the model
    const zeros = TEXT.buildVocab({ fields: { text: TEXT }, examples }, { vectors }).vectors?.toArray() as number[][];
    expect(zeros[TEXT.vocab?.stoi.get('plot') as number]).toEqual([0, 0, 0]);
    const both = TEXT.buildVocab({ fields: { text: TEXT }, examples }, { vectors: [vectors, vectors] }).vectors;
    expect(both?.shape).toEqual([vocab.length, 6]);
    expect(() => TEXT.buildVocab({ fields: { text: TEXT }, examples }, { unkInit: 'normal' })).toThrow(/options.unkInit/);
    expect(() => TEXT.buildVocab({ fields: { text: TEXT }, examples }, { vectors: 'glove.6B.100d' as unknown as Vectors })).toThrow(/vectors/);
    m?.dispose();
    both?.dispose();
  });
});
