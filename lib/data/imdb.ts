/**
 * The IMDb Large Movie Review Dataset (Maas et al., 2011), as torchtext's
 * `IMDB.splits`: train (25,000) and test (25,000) datasets of examples
 * `{text: string[], label: 'pos' | 'neg'}`.
 *
 * Sources, first match wins:
 * - `path`: an extracted folder (the `aclImdb` folder itself or its parent);
 * - `archive`: a local .tar.gz with the original layout (e.g. only the
 *   labelled part), streamed in memory, nothing written to disk;
 * - otherwise `root` (default: the cache folder, `$TORCH_SENTIMENT_HOME` or
 *   `~/.cache/torch-sentiment`): `url` (default: the official archive) is
 *   downloaded to `root/<archive name>` once (verified, atomic) and streamed
 *   like a local archive, on this run and the next ones.
 *
 * Layout read: `aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt`; `unsup`
 * and everything else is ignored. Order is deterministic: split folder, then
 * label folder sorted by name (`neg` before `pos`), then numeric id; torchtext's
 * own order (pos then neg, in whatever order the file system lists) is not
 * reproducible and the split shuffles anyway. Each review is its first line,
 * as torchtext's `f.readline()` reads it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArchiveError, ReadArchiveOptions, archiveLimits, readArchiveFiles } from './archive';
import { Dataset } from './dataset';
import { cacheDir, download } from './download';
import type { Field } from './field';
import { DataError } from './errors';
import { pendingIds } from './lazy-tokens';
import { firstLineEnd } from '../text/utf8';
import { checkKeys, checkObject, checkNonEmptyString, invalid, optional } from '../validate';

export interface ImdbExample {
  text: string[];
  label: string;
}

export const IMDB_URL = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz';
export const IMDB_SIZE = 84125825;
export const IMDB_SHA256 = 'c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe';

export interface ImdbOptions {
  /** Cache folder for the download and the extracted data. */
  root?: string;
  /** Archive URL; default the official one (size and sha256 are then checked). */
  url?: string;
  /** sha256 of the archive at `url` (known for the official URL). */
  sha256?: string;
  /** Size in bytes of the archive at `url` (known for the official URL). */
  size?: number;
  /** A local .tar.gz/.tar with the aclImdb layout. */
  archive?: string;
  /** An extracted folder: `.../aclImdb` or the folder that holds it. */
  path?: string;
  /** Download when nothing is cached; default true. */
  download?: boolean;
  /** Progress bar for the download: true (stderr), false or a stream. */
  progress?: boolean | NodeJS.WritableStream;
  /** Download retries and timeouts (see `download`). */
  retries?: number;
  retryDelayMs?: number;
  stallTimeoutMs?: number;
  /** Largest review file accepted, in bytes (default 10 MB; IMDb's largest is 14 KB). */
  maxEntryBytes?: number;
  /** Most bytes read in all: the uncompressed archive, or the folder's reviews (default 4 GiB). */
  maxTotalBytes?: number;
}

const KNOWN = ['root', 'url', 'sha256', 'size', 'archive', 'path', 'download', 'progress', 'retries', 'retryDelayMs',
  'stallTimeoutMs', 'maxEntryBytes', 'maxTotalBytes'] as const;

const SPLITS = ['train', 'test'] as const;
const LABELS = ['neg', 'pos'] as const;
type Split = (typeof SPLITS)[number];

/** `[optional ./][optional top folder/](train|test)/(neg|pos)/<id>_<rating>.txt` */
const ENTRY = /^(?:\.\/)?(?:[^/]+\/)?(train|test)\/(neg|pos)\/(\d+)_(\d+)\.txt$/;

interface RawReview {
  split: Split;
  label: string;
  id: number;
  rating: number;
  /** The first line (from a folder), or */
  text?: string;
  /** the text field's preprocessed value (from an archive: tokenized while the archive is read), or */
  value?: string[] | string;
  /** the interner ids of its tokens, their array made on first read (see Field.tokenIdsOfBytes). */
  ids?: Int32Array;
}

/** torchtext reads `f.readline()` in text mode: up to and including the first line break. */
function firstLine(text: string): string {
  const cut = text.search(/[\r\n]/);
  if (cut < 0) return text;
  return text.slice(0, cut) + '\n'; // Field.preprocess strips the trailing '\n', like rstrip('\n')
}

function sortReviews(list: RawReview[]): RawReview[] {
  // Split, then label, as one number: a comparator of numbers only (it runs ~800,000 times on IMDb).
  const group = (r: RawReview) => SPLITS.indexOf(r.split) * LABELS.length + LABELS.indexOf(r.label as (typeof LABELS)[number]);
  const keyed = list.map((r) => ({ r, g: group(r) }));
  keyed.sort((a, b) => a.g - b.g || a.r.id - b.r.id || a.r.rating - b.r.rating);
  for (let i = 0; i < list.length; i++) list[i] = keyed[i].r;
  return list;
}

function checkLayout(where: string, reviews: RawReview[]): void {
  for (const split of SPLITS) {
    for (const label of LABELS) {
      if (!reviews.some((r) => r.split === split && r.label === label)) {
        throw new DataError('LAYOUT', `${where} does not have the aclImdb layout: no reviews in ${split}/${label}/ ` +
          '(expected aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt)');
      }
    }
  }
}

/**
 * Each review is preprocessed by `textField` as soon as it is read, while
 * zlib inflates the next part of the archive on the thread pool; only its
 * first line is decoded (or, with basic_english, tokenized from the bytes and
 * kept as token ids: the example's token array is made when it is first read).
 */
async function readFromArchive(archive: string, textField: Field, limits: Required<ReadArchiveOptions>): Promise<RawReview[]> {
  if (!fs.existsSync(archive)) throw new ArchiveError(archive, `archive ${archive} does not exist`, 'NOT_FOUND');
  const reviews: RawReview[] = [];
  const seen = new Set<string>();
  // The tar reader asks `accept` about an entry and then hands over its contents: the match is kept between the two.
  let accepted: RegExpExecArray | null = null;
  await readArchiveFiles(archive, (p) => (accepted = ENTRY.exec(p)) !== null, (p, contents) => {
    const m = accepted !== null && accepted.input === p ? accepted : (ENTRY.exec(p) as RegExpExecArray);
    const key = `${m[1]}/${m[2]}/${m[3]}_${m[4]}`;
    if (seen.has(key)) throw new ArchiveError(archive, `archive ${archive}: entry ${JSON.stringify(p)} appears twice (a review would count double)`, 'DUPLICATE');
    seen.add(key);
    const line = contents.subarray(0, firstLineEnd(contents));
    const ids = textField.tokenIdsOfBytes(line);
    const value = ids === undefined ? textField.preprocessBytes(line) : undefined;
    reviews.push({ split: m[1] as Split, label: m[2], id: Number(m[3]), rating: Number(m[4]), value, ids });
  }, limits);
  checkLayout(`archive ${archive}`, reviews);
  return sortReviews(reviews);
}

/** `dir` itself if it has train/ and test/, else `dir/aclImdb`. */
function resolveFolder(dir: string): string {
  const has = (d: string) => SPLITS.every((s) => fs.existsSync(path.join(d, s)));
  if (has(dir)) return dir;
  const inner = path.join(dir, 'aclImdb');
  if (has(inner)) return inner;
  throw new DataError('LAYOUT', `folder ${dir} does not have the aclImdb layout: expected ${dir}/train and ${dir}/test ` +
    `(or ${inner}/train and ${inner}/test)`);
}

/**
 * The first line of the review file `file` in `folder`: refused unless it is a regular file (a FIFO
 * would never finish reading) and lies in `folder` once symbolic links are resolved (a link to
 * /etc/passwd would join the training set), and is at most `maxBytes` long.
 */
async function readReview(folder: string, realFolder: string, file: string, maxBytes: number): Promise<{ text: string; bytes: number }> {
  const real = await fs.promises.realpath(file);
  if (real !== realFolder && !real.startsWith(realFolder + path.sep)) {
    throw new DataError('OUTSIDE', `${file} is a link to ${real}, outside the folder ${folder}: refused`);
  }
  const st = await fs.promises.stat(real);
  if (!st.isFile()) throw new DataError('NOT_REGULAR', `${file} is not a regular file: refused`);
  if (st.size > maxBytes) throw new DataError('TOO_LARGE', `${file} is ${st.size} bytes, over the maxEntryBytes limit (${maxBytes})`);
  const handle = await fs.promises.open(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    // Read at most maxBytes + 1, whatever the file grew to since stat.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    if (bytesRead > maxBytes) throw new DataError('TOO_LARGE', `${file} is over the maxEntryBytes limit (${maxBytes})`);
    return { text: firstLine(buf.toString('utf8', 0, bytesRead)), bytes: bytesRead };
  } finally {
    await handle.close();
  }
}

async function readFromFolder(dir: string, limits: Required<ReadArchiveOptions>): Promise<RawReview[]> {
  if (!fs.existsSync(dir)) throw new DataError('NOT_FOUND', `folder ${dir} does not exist`);
  const folder = resolveFolder(dir);
  const jobs: Array<Omit<RawReview, 'text'> & { file: string }> = [];
  for (const split of SPLITS) {
    for (const label of LABELS) {
      const sub = path.join(folder, split, label);
      if (!fs.existsSync(sub)) continue;
      for (const name of fs.readdirSync(sub)) {
        const m = /^(\d+)_(\d+)\.txt$/.exec(name);
        if (m) jobs.push({ split, label, id: Number(m[1]), rating: Number(m[2]), file: path.join(sub, name) });
      }
    }
  }
  const reviews: RawReview[] = new Array(jobs.length);
  const realFolder = await fs.promises.realpath(folder);
  let next = 0;
  let total = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { file, ...rest } = jobs[i];
      const { text, bytes } = await readReview(folder, realFolder, file, limits.maxEntryBytes);
      total += bytes;
      if (total > limits.maxTotalBytes) throw new DataError('TOO_LARGE', `the reviews in ${folder} are over the maxTotalBytes limit (${limits.maxTotalBytes})`);
      reviews[i] = { ...rest, text };
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  checkLayout(`folder ${folder}`, reviews);
  return sortReviews(reviews);
}

/** The archive in the cache folder, downloaded first when it is not there yet. */
async function cachedArchive(o: Record<string, unknown>): Promise<string> {
  const root = path.resolve(optional(o.root, cacheDir(), (v) => checkNonEmptyString('options.root', v)));
  const url = optional(o.url, IMDB_URL, (v) => checkNonEmptyString('options.url', v));
  const official = url === IMDB_URL;
  const allowDownload = optional(o.download, true, (v) => {
    if (typeof v !== 'boolean') throw invalid('options.download', 'a boolean', v);
    return v;
  });
  const name = path.basename(new URL(url).pathname) || 'aclImdb.tar.gz';
  const file = path.join(root, name);
  if (!fs.existsSync(file) && !allowDownload) {
    throw new DataError('NOT_CACHED', `IMDb is not in ${root} and options.download is false: pass options.archive or options.path, ` +
      'or allow the download');
  }
  await download(url, file, {
    sha256: (o.sha256 as string | undefined) ?? (official ? IMDB_SHA256 : undefined),
    size: (o.size as number | undefined) ?? (official ? IMDB_SIZE : undefined),
    progress: o.progress as boolean | NodeJS.WritableStream | undefined,
    retries: o.retries as number | undefined,
    retryDelayMs: o.retryDelayMs as number | undefined,
    stallTimeoutMs: o.stallTimeoutMs as number | undefined,
  });
  return file;
}

export class IMDB {
  static readonly urls = [IMDB_URL];
  static readonly dirname = 'aclImdb';

  /** torchtext's `IMDB.sort_key`: the number of tokens (counted without making them, see Field.tokenIdsOfBytes). */
  static sortKey(example: ImdbExample): number {
    return pendingIds(example, 'text')?.length ?? example.text.length;
  }

  /**
   * Reads the reviews and returns `[train, test]`, each example preprocessed by
   * the fields (`text` tokenized, `label` as is).
   */
  static async splits(textField: Field, labelField: Field, options?: ImdbOptions): Promise<[Dataset<ImdbExample>, Dataset<ImdbExample>]> {
    if (!textField || typeof textField.preprocess !== 'function') throw invalid('textField', 'a Field', textField);
    if (!labelField || typeof labelField.preprocess !== 'function') throw invalid('labelField', 'a Field', labelField);
    const o = checkObject('options', options);
    checkKeys('IMDB.splits options', o, KNOWN);
    const limits = archiveLimits(o as ReadArchiveOptions);
    let reviews: RawReview[];
    if (o.path !== undefined) reviews = await readFromFolder(path.resolve(checkNonEmptyString('options.path', o.path)), limits);
    else if (o.archive !== undefined) reviews = await readFromArchive(path.resolve(checkNonEmptyString('options.archive', o.archive)), textField, limits);
    else reviews = await readFromArchive(await cachedArchive(o), textField, limits);
    const fields = { text: textField, label: labelField };
    const bySplit: Record<Split, ImdbExample[]> = { train: [], test: [] };
    for (const r of reviews) {
      const label = labelField.preprocess(r.label) as string;
      if (r.ids !== undefined) {
        const example = { text: [] as string[], label };
        textField.setLazyTokens(example, 'text', r.ids);
        bySplit[r.split].push(example);
      } else {
        const text = (r.value ?? textField.preprocess(r.text as string)) as string[];
        bySplit[r.split].push({ text, label });
      }
    }
    return [
      new Dataset<ImdbExample>(bySplit.train, fields, { sortKey: IMDB.sortKey }),
      new Dataset<ImdbExample>(bySplit.test, fields, { sortKey: IMDB.sortKey }),
    ];
  }
}
