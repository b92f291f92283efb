/**
 * Pretrained word vectors, as torchtext's `Vectors`: GloVe `.txt` and word2vec/fastText `.vec` text
 * files (a `.vec` file's "count dim" header line is skipped), plain, gzipped (`.gz`) or inside a
 * `.zip`, from a local path or an http(s) URL (downloaded once into the cache, with the checksum
 * checks of download.ts). `Field.buildVocab(data, {vectors, unkInit})` gives `vocab.vectors`.
 *
 * torchtext's reading rules: each line is `word v1 ... vD` split on single spaces; a line with one
 * value is a header (skipped); a line whose word is not UTF-8 is skipped; every vector must have the
 * first one's dimension; a word that occurs twice keeps its last vector.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type * as FactoriesModule from '../factories';
import type * as TensorModule from '../tensor';
import type { Tensor } from '../tensor';
import { checkInteger, checkKeys, checkNonEmptyString, checkObject, invalid, optional } from '../validate';
import { cacheDir, download } from './download';
import { DataError } from './errors';

export interface VectorsOptions {
  /** Folder for downloaded files (default `<cacheDir()>/vectors`). */
  cache?: string;
  /** Expected sha256 of a downloaded file. */
  sha256?: string;
  /** In a `.zip`, the entry to read (default: the only `.txt`/`.vec` entry). */
  entry?: string;
  /** Read at most this many vectors (the first ones: the most frequent words in GloVe and fastText). */
  maxVectors?: number;
  /** Download progress: true (stderr), false, or a stream. */
  progress?: boolean | NodeJS.WritableStream;
}

const KNOWN = ['cache', 'sha256', 'entry', 'maxVectors', 'progress'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class Vectors {
  /** The words, in file order (a word read twice appears once, where it was first read). */
  readonly itos: string[];
  readonly stoi: Map<string, number>;
  readonly dim: number;
  /** Row-major [itos.length, dim]. */
  readonly data: Float32Array;

  constructor(itos: string[], data: Float32Array, dim: number) {
    this.dim = checkInteger('dim', dim, 1);
    if (data.length !== itos.length * dim) throw invalid('data', `${itos.length} x ${dim} values`, data);
    this.itos = itos;
    this.data = data;
    this.stoi = new Map(itos.map((w, i) => [w, i]));
  }

  get length(): number {
    return this.itos.length;
  }

  /** The vector of `word` (a view), or undefined. */
  get(word: string): Float32Array | undefined {
    const i = this.stoi.get(word);
    return i === undefined ? undefined : this.data.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** Reads a vectors file (see the module comment) from a path or an http(s) URL. */
  static async load(source: string, options?: VectorsOptions): Promise<Vectors> {
    checkNonEmptyString('source', source);
    const o = checkObject('options', options);
    checkKeys('Vectors.load options', o, KNOWN);
    const maxVectors = optional<number>(o.maxVectors, Infinity, (v) => checkInteger('options.maxVectors', v, 1));
    let file = source;
    if (/^https?:\/\//.test(source)) {
      const cache = path.resolve(optional(o.cache, path.join(cacheDir(), 'vectors'), (v) => checkNonEmptyString('options.cache', v)));
      file = path.join(cache, path.basename(new URL(source).pathname) || 'vectors.txt');
      await download(source, file, { sha256: o.sha256 as string | undefined, progress: o.progress as boolean | undefined });
    } else if (!fs.existsSync(file)) {
      throw new DataError('NOT_FOUND', `vectors file ${file} does not exist`);
    }
    const stream = await openText(file, o.entry as string | undefined);
    return parse(stream, file, maxVectors);
  }
}

/** The text stream of `file`: gunzipped, or the entry of a zip, or the file itself. */
async function openText(file: string, entry: string | undefined): Promise<Readable> {
  if (/\.gz$/i.test(file)) return through(fs.createReadStream(file), zlib.createGunzip());
  if (/\.zip$/i.test(file)) return zipEntryStream(file, entry);
  if (entry !== undefined) throw invalid('options.entry', 'undefined unless the file is a .zip', entry);
  return fs.createReadStream(file);
}

/**
 * `raw` through `transform`, as one stream: a read error reaches the reader (pipe() would drop it and
 * leave the reader waiting), and destroying the result closes the file too.
 */
function through(raw: Readable, transform: NodeJS.ReadWriteStream & Readable): Readable {
  pipeline(raw, transform, () => {}); // errors reach the reader through `transform`
  return transform;
}

/** Streams one entry of a zip (stored or deflated) without reading the whole archive. */
async function zipEntryStream(file: string, wanted: string | undefined): Promise<Readable> {
  const bad = (message: string) => new DataError('BAD_VECTORS', `${file}: ${message}`);
  const fd = await fs.promises.open(file, 'r');
  try {
    const { size } = await fd.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fd.read(tail, 0, tailLen, size - tailLen);
    let end = -1;
    for (let p = tailLen - 22; p >= 0; p--) if (tail.readUInt32LE(p) === 0x06054b50) { end = p; break; }
    if (end < 0) throw bad('not a zip archive (no end-of-central-directory record)');
    let count = tail.readUInt16LE(end + 10);
    let cdSize = tail.readUInt32LE(end + 12);
    let cdOffset = tail.readUInt32LE(end + 16);
    if (end >= 20 && tail.readUInt32LE(end - 20) === 0x07064b50) {
      const at = Number(tail.readBigUInt64LE(end - 12));
      const rec = Buffer.alloc(56);
      await fd.read(rec, 0, 56, at);
      if (rec.readUInt32LE(0) !== 0x06064b50) throw bad('the zip64 end record is missing');
      count = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size) throw bad('the central directory runs past the end of the file');
    const cd = Buffer.alloc(cdSize);
    await fd.read(cd, 0, cdSize, cdOffset);
    const entries: Array<{ name: string; method: number; compressed: number; local: number }> = [];
    for (let i = 0, p = 0; i < count; i++) {
      if (p + 46 > cdSize || cd.readUInt32LE(p) !== 0x02014b50) throw bad(`central directory entry ${i} is malformed`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      let compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      let local = cd.readUInt32LE(p + 42);
      // zip64: the 64-bit values of the fields that read 0xFFFFFFFF, in order (size, compressed, offset).
      for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
        const id = cd.readUInt16LE(e);
        const n = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressed === 0xffffffff) q += 8;
          if (compressed === 0xffffffff) { compressed = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (local === 0xffffffff) local = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + n;
      }
      entries.push({ name, method: cd.readUInt16LE(p + 10), compressed, local });
      p += 46 + nameLen + extraLen + cd.readUInt16LE(p + 32);
    }
    const texts = entries.filter((e) => /\.(txt|vec)$/i.test(e.name));
    const chosen = wanted === undefined ? (texts.length === 1 ? texts[0] : undefined) : entries.find((e) => e.name === wanted);
    if (!chosen) {
      const names = entries.map((e) => e.name).join(', ');
      throw wanted === undefined
        ? new DataError('BAD_VECTORS', `${file} holds ${texts.length} .txt/.vec files (${names}): pass options.entry to choose one`)
        : new DataError('BAD_VECTORS', `${file} has no entry ${JSON.stringify(wanted)} (it has: ${names})`);
    }
    if (chosen.method !== 0 && chosen.method !== 8) throw bad(`entry ${chosen.name} uses compression method ${chosen.method} (only stored and deflated are read)`);
    const header = Buffer.alloc(30);
    await fd.read(header, 0, 30, chosen.local);
    if (header.readUInt32LE(0) !== 0x04034b50) throw bad(`entry ${chosen.name}: no local header at offset ${chosen.local}`);
    const start = chosen.local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (start + chosen.compressed > size) throw bad(`entry ${chosen.name} runs past the end of the file`);
    const raw = fs.createReadStream(file, { start, end: start + chosen.compressed - 1 });
    return chosen.method === 8 ? through(raw, zlib.createInflateRaw()) : raw;
  } finally {
    await fd.close();
  }
}

/** Parses the lines of a vectors text stream. */
async function parse(stream: Readable, file: string, maxVectors: number): Promise<Vectors> {
  const itos: string[] = [];
  const stoi = new Map<string, number>();
  let dim = 0;
  let data = new Float32Array(1 << 16);
  let rows = 0;
  let lineNo = 0;
  let rest: Buffer = Buffer.alloc(0);
  const line = (bytes: Buffer): boolean => {
    lineNo++;
    let end = bytes.length;
    while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--; // rstrip
    if (end === 0) return true;
    const text = bytes.subarray(0, end);
    const space = text.indexOf(0x20);
    if (space < 0) return true; // a word without a vector: torchtext skips it as a likely header
    let word: string;
    try {
      word = utf8.decode(text.subarray(0, space));
    } catch {
      return true; // torchtext: "Skipping non-UTF8 token"
    }
    const values = text.toString('latin1', space + 1).split(' ');
    if (values.length === 1) return true; // "count dim" header of .vec files
    if (dim === 0) dim = values.length;
    else if (values.length !== dim) {
      throw new DataError('BAD_VECTORS', `${file}, line ${lineNo}: the vector of ${JSON.stringify(word)} has ${values.length} dimensions, but the previous vectors have ${dim}; all vectors must have the same dimension`);
    }
    let row = stoi.get(word);
    if (row === undefined) {
      if (rows >= maxVectors) return false;
      row = rows++;
      stoi.set(word, row);
      itos.push(word);
      if (rows * dim > data.length) {
        const grown = new Float32Array(Math.max(rows * dim, data.length * 2));
        grown.set(data);
        data = grown;
      }
    }
    for (let i = 0; i < dim; i++) {
      const v = Number(values[i]);
      if (values[i] === '' || Number.isNaN(v)) throw new DataError('BAD_VECTORS', `${file}, line ${lineNo}: value ${i + 1} of ${JSON.stringify(word)} is not a number: ${JSON.stringify(values[i].slice(0, 40))}`);
      data[row * dim + i] = v;
    }
    return true;
  };
  try {
    outer: for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let from = 0;
      for (let nl = buf.indexOf(0x0a, from); nl >= 0; nl = buf.indexOf(0x0a, from)) {
        if (!line(buf.subarray(from, nl))) break outer;
        from = nl + 1;
      }
      buf = buf.subarray(from);
      rest = Buffer.from(buf);
    }
    if (rest.length && rows < maxVectors) line(rest);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('BAD_VECTORS', `${file} cannot be read: ${(e as Error).message}`);
  } finally {
    stream.destroy();
  }
  if (rows === 0) throw new DataError('BAD_VECTORS', `${file} holds no vectors`);
  return new Vectors(itos, data.slice(0, rows * dim), dim);
}

/** What fills the rows of words without a pretrained vector: a function that fills a tensor in place (torch.Tensor.normal_), 'zeros' or 'normal'. */
export type UnkInit = ((t: Tensor) => unknown) | 'zeros' | 'normal';

/**
 * torchtext's `Vocab.load_vectors`: a [itos.length, sum of dims] float32 tensor, row i the vectors of
 * itos[i] side by side, rows of words some vectors lack filled by `unkInit` (default zeros).
 */
export function vectorsTensor(itos: readonly string[], vectors: Vectors | Vectors[], unkInit: UnkInit = 'zeros'): Tensor {
  const list = Array.isArray(vectors) ? vectors : [vectors];
  if (!list.length || list.some((v) => !(v instanceof Vectors))) throw invalid('vectors', 'a Vectors or an array of Vectors', vectors);
  if (unkInit !== 'zeros' && unkInit !== 'normal' && typeof unkInit !== 'function') throw invalid('unkInit', "a function that fills a tensor in place, 'zeros' or 'normal'", unkInit);
  // Loaded here, so lib/data works without the addon until vectors are asked for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('../tensor') as typeof TensorModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const f = require('../factories') as typeof FactoriesModule;
  const total = list.reduce((n, v) => n + v.dim, 0);
  const init = f.zeros([itos.length, total]);
  try {
    if (unkInit === 'normal') t.noGrad(() => init.normal_());
    else if (typeof unkInit === 'function') t.noGrad(() => unkInit(init));
    const data = Float32Array.from(init.toTypedArray() as Float32Array);
    itos.forEach((word, row) => {
      let at = row * total;
      for (const v of list) {
        const vec = v.get(word);
        if (vec) data.set(vec, at);
        at += v.dim;
      }
    });
    return f.tensor(data, { shape: [itos.length, total] });
  } finally {
    init.dispose();
  }
}
