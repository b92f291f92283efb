// Hashed, binarized n-gram features with Naive Bayes log-count ratios (Wang & Manning's NBSVM
// features): each distinct n-gram of a text (n = 1..ngrams) is a 32-bit key hashed from its tokens,
// the training set's keys with enough occurrences get ids, and each id has its log-count ratio r.
// Hashing keeps the vocabulary in typed arrays: no string per n-gram (IMDb's training reviews hold
// about ten million distinct uni/bi/trigrams).
import { TorchError } from '../errors';
import { checkInteger, checkNumber, invalid } from '../validate';

/** FNV-1a of a token's UTF-16 code units. */
function tokenHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/** murmur3's finalizer: spreads the bits of an n-gram's combined hash. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Keys of every distinct n-gram of `tokens`, n = 1..ngrams, sorted. 0 never occurs (the table's empty slot). */
export function ngramKeys(tokens: readonly string[], ngrams: number, scratch?: { buf: Uint32Array; hashes: Int32Array }): Uint32Array {
  const n = tokens.length;
  const need = n * ngrams;
  let buf = scratch?.buf;
  let hashes = scratch?.hashes;
  if (!buf || buf.length < need) buf = new Uint32Array(Math.max(need, 1024));
  if (!hashes || hashes.length < n) hashes = new Int32Array(Math.max(n, 1024));
  if (scratch) {
    scratch.buf = buf;
    scratch.hashes = hashes;
  }
  for (let i = 0; i < n; i++) hashes[i] = tokenHash(tokens[i]);
  let m = 0;
  for (let i = 0; i < n; i++) {
    let h = 0x9747b28c;
    for (let k = 0; k < ngrams && i + k < n; k++) {
      h = Math.imul(h ^ hashes[i + k], 0x01000193) + k;
      buf[m++] = fmix(h) || 1;
    }
  }
  const keys = buf.subarray(0, m).sort();
  let u = 0;
  for (let i = 0; i < m; i++) if (i === 0 || keys[i] !== keys[i - 1]) keys[u++] = keys[i];
  return keys.slice(0, u);
}

/** Open addressing (linear probing) from 32-bit keys to ids; key 0 marks an empty slot. */
export class KeyTable {
  readonly keys: Uint32Array;
  readonly ids: Int32Array;
  private readonly mask: number;
  size = 0;

  constructor(expected: number) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.ids = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** The slot of `key`, inserted (id -1) when absent. */
  slot(key: number): number {
    let i = fmix(key) & this.mask;
    for (;;) {
      const k = this.keys[i];
      if (k === key) return i;
      if (k === 0) {
        if (this.size * 2 >= this.keys.length) throw new TorchError('KeyTable is full');
        this.keys[i] = key;
        this.ids[i] = -1;
        this.size++;
        return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** The id of `key`, or -1. */
  get(key: number): number {
    let i = fmix(key) & this.mask;
    for (;;) {
      const k = this.keys[i];
      if (k === key) return this.ids[i];
      if (k === 0) return -1;
      i = (i + 1) & this.mask;
    }
  }
}

export interface NgramFitOptions {
  /** Longest n-gram (default 3). */
  ngrams?: number;
  /** Fewest training texts an n-gram must occur in to be kept (default 2). */
  minCount?: number;
  /** Smoothing of the counts in the ratios (NBSVM's alpha, default 1). */
  alpha?: number;
}

/** The feature vocabulary: kept n-gram keys (feature i is keys[i]) and their log-count ratios. */
export class NgramFeatures {
  readonly ngrams: number;
  readonly keys: Uint32Array;
  readonly ratios: Float32Array;
  private readonly table: KeyTable;

  constructor(ngrams: number, keys: Uint32Array, ratios: Float32Array) {
    this.ngrams = checkInteger('ngrams', ngrams, 1, 8);
    // By tag, not instanceof: typed arrays from the addon or another realm (vm, Jest) are not this realm's.
    if (Object.prototype.toString.call(keys) !== '[object Uint32Array]') throw invalid('keys', 'a Uint32Array', keys);
    if (Object.prototype.toString.call(ratios) !== '[object Float32Array]' || ratios.length !== keys.length) throw invalid('ratios', `a Float32Array of ${keys.length} ratios`, ratios);
    this.keys = keys;
    this.ratios = ratios;
    this.table = new KeyTable(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const s = this.table.slot(keys[i]);
      if (this.table.ids[s] !== -1) throw new TorchError(`n-gram key ${keys[i]} occurs twice in the feature vocabulary`);
      this.table.ids[s] = i;
    }
  }

  get length(): number {
    return this.keys.length;
  }

  /**
   * Counts the n-grams of the training texts (each once per text) by label, keeps those in at least
   * minCount texts and gives each r = log((p / |p|₁) / (q / |q|₁)), p and q the alpha-smoothed counts
   * in positive and negative texts.
   */
  static fit(texts: ReadonlyArray<readonly string[]>, labels: ArrayLike<number>, options: NgramFitOptions = {}): NgramFeatures {
    const ngrams = checkInteger('options.ngrams', options.ngrams ?? 3, 1, 8);
    return NgramFeatures.fitKeys(NgramFeatures.keysOf(texts, ngrams), labels, { ...options, ngrams });
  }

  /** fit() from the texts' keys (NgramFeatures.keysOf), which the caller can then reuse. */
  static fitKeys(docKeys: readonly Uint32Array[], labels: ArrayLike<number>, options: NgramFitOptions = {}): NgramFeatures {
    const ngrams = checkInteger('options.ngrams', options.ngrams ?? 3, 1, 8);
    const minCount = checkInteger('options.minCount', options.minCount ?? 2, 1);
    const alpha = checkNumber('options.alpha', options.alpha ?? 1, { min: 0 });
    if (labels.length !== docKeys.length) throw invalid('labels', `${docKeys.length} labels (one per text)`, labels);
    let total = 0;
    for (const k of docKeys) total += k.length;
    const table = new KeyTable(Math.min(total, 1 << 25));
    const pos = new Int32Array(table.keys.length);
    const neg = new Int32Array(table.keys.length);
    for (let d = 0; d < docKeys.length; d++) {
      const y = labels[d];
      if (y !== 0 && y !== 1) throw invalid(`labels[${d}]`, '0 or 1', y);
      const counts = y === 1 ? pos : neg;
      for (const key of docKeys[d]) counts[table.slot(key)]++;
    }
    let n = 0;
    for (let s = 0; s < table.keys.length; s++) if (table.keys[s] !== 0 && pos[s] + neg[s] >= minCount) n++;
    const keys = new Uint32Array(n);
    n = 0;
    for (let s = 0; s < table.keys.length; s++) if (table.keys[s] !== 0 && pos[s] + neg[s] >= minCount) keys[n++] = table.keys[s];
    keys.sort(); // ids in key order, whatever the table's layout
    let sumP = 0;
    let sumQ = 0;
    const ratios = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = table.slot(keys[i]);
      sumP += pos[s] + alpha;
      sumQ += neg[s] + alpha;
      ratios[i] = Math.log((pos[s] + alpha) / (neg[s] + alpha));
    }
    const norm = Math.log(sumQ / sumP);
    for (let i = 0; i < n; i++) ratios[i] += norm;
    return new NgramFeatures(ngrams, keys, ratios);
  }

  /** The distinct n-gram keys of each text. */
  static keysOf(texts: ReadonlyArray<readonly string[]>, ngrams: number): Uint32Array[] {
    const scratch = { buf: new Uint32Array(0), hashes: new Int32Array(0) };
    return texts.map((t) => ngramKeys(t, ngrams, scratch));
  }

  /** Feature ids of one text's distinct n-grams that are in the vocabulary, ascending. */
  ids(tokens: readonly string[]): Int32Array {
    return this.idsOfKeys(ngramKeys(tokens, this.ngrams));
  }

  idsOfKeys(keys: Uint32Array): Int32Array {
    const out = new Int32Array(keys.length);
    let m = 0;
    for (let i = 0; i < keys.length; i++) {
      const id = this.table.get(keys[i]);
      if (id >= 0) out[m++] = id;
    }
    return out.slice(0, m).sort();
  }
}
