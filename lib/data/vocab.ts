/**
 * Vocabulary with legacy torchtext's semantics (torchtext.legacy.vocab.Vocab):
 * specials first (`<unk>` = 0, `<pad>` = 1 with Field's defaults), then words
 * by descending frequency, ties in code-point order (Python string order);
 * `maxSize` counts words only, `minFreq` drops rare words; unknown words map
 * to `<unk>` when it is a special.
 */
import { checkInteger, checkKeys, checkObject, invalid, optional } from '../validate';

/** Python's string ordering (by code point), unlike JS `<` which compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      const sa = ca >= 0xd800 && ca <= 0xdfff;
      const sb = cb >= 0xd800 && cb <= 0xdfff;
      if (sa !== sb) return sa ? 1 : -1; // a surrogate starts a code point above every BMP one
      return ca - cb;
    }
  }
  return a.length - b.length;
}

/** A `collections.Counter` of strings: counts in first-seen order. */
export class Counter {
  private readonly counts: Map<string, number>;

  constructor(entries?: Iterable<[string, number]>) {
    this.counts = new Map(entries ?? []);
  }

  /** Adds one to the count of every token (like `Counter.update(list)`). */
  update(tokens: Iterable<string>): this {
    const m = this.counts;
    for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
    return this;
  }

  get(token: string): number {
    return this.counts.get(token) ?? 0;
  }

  delete(token: string): boolean {
    return this.counts.delete(token);
  }

  has(token: string): boolean {
    return this.counts.has(token);
  }

  /** Number of distinct tokens. */
  get size(): number {
    return this.counts.size;
  }

  /** Sum of all counts. */
  total(): number {
    let s = 0;
    for (const v of this.counts.values()) s += v;
    return s;
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  copy(): Counter {
    return new Counter(this.counts);
  }

  /** Calls `fn(count, token)` for every token, in first-seen order (no entry arrays made). */
  forEachCount(fn: (count: number, token: string) => void): void {
    this.counts.forEach(fn);
  }

  /** @internal A Counter of `tokens[i]` counted `counts[i]` times, in that order (tokens distinct). */
  static fromArrays(tokens: readonly string[], counts: ArrayLike<number>): Counter {
    const c = new Counter();
    for (let i = 0; i < tokens.length; i++) c.counts.set(tokens[i], counts[i]);
    return c;
  }

  /** `Counter.most_common(n)`: by count, descending; equal counts keep first-seen order. */
  mostCommon(n?: number): Array<[string, number]> {
    if (n !== undefined) checkInteger('n', n, 0);
    const all = [...this.counts.entries()];
    all.sort((x, y) => y[1] - x[1]); // stable, like Python's sorted(..., reverse=True)
    return n === undefined ? all : all.slice(0, n);
  }
}

/** `stoi`: token -> index, unknown tokens -> the `<unk>` index (a defaultdict in torchtext). */
export class StringToIndex {
  private readonly map: Map<string, number>;
  private readonly unk: number | null;

  /** @internal */
  constructor(map: Map<string, number>, unk: number | null) {
    this.map = map;
    this.unk = unk;
  }

  /** Index of `token`; the `<unk>` index when unknown; throws when the vocabulary has no `<unk>`. */
  get(token: string): number {
    const i = this.map.get(token);
    if (i !== undefined) return i;
    if (this.unk === null) {
      throw new RangeError(`stoi: ${JSON.stringify(token)} is not in the vocabulary, and it has no <unk> token`);
    }
    return this.unk;
  }

  has(token: string): boolean {
    return this.map.has(token);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.map.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.map.entries();
  }

  /** A plain object, e.g. `{neg: 0, pos: 1}` for the label vocabulary. */
  toObject(): Record<string, number> {
    return Object.fromEntries(this.map);
  }
}

export interface VocabOptions {
  /** Most words to keep, specials not counted (torchtext `max_size`). */
  maxSize?: number;
  /** Words seen fewer times are dropped; default 1. */
  minFreq?: number;
  /** Tokens placed first (or last), e.g. `['<unk>', '<pad>']`; default `['<unk>', '<pad>']`. */
  specials?: string[];
  /** Put the specials at the start (default) or at the end. */
  specialsFirst?: boolean;
}

export class Vocab {
  private readonly idsCache = new WeakMap<readonly string[], Int32Array>();
  static readonly UNK = '<unk>';
  /** Token counts as built (specials included if they were counted). */
  readonly freqs: Counter;
  /** Index -> token. */
  readonly itos: string[];
  /** Token -> index; unknown -> `<unk>`. */
  readonly stoi: StringToIndex;
  /** Index of `<unk>`, or null when it is not a special. */
  readonly unkIndex: number | null;
  /** [length, dim] float32 pretrained vectors, row i for itos[i]: set by Field.buildVocab's `vectors`. */
  vectors: import('../tensor').Tensor | undefined = undefined;

  constructor(counter: Counter, options?: VocabOptions) {
    if (!(counter instanceof Counter)) throw invalid('counter', 'a Counter', counter);
    const o = checkObject('options', options);
    checkKeys('Vocab options', o, ['maxSize', 'minFreq', 'specials', 'specialsFirst']);
    const maxSize = optional<number | undefined>(o.maxSize, undefined, (v) => checkInteger('options.maxSize', v, 0));
    const minFreq = Math.max(1, optional(o.minFreq, 1, (v) => checkInteger('options.minFreq', v, 0)));
    const specials = optional(o.specials, ['<unk>', '<pad>'], (v) => {
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid('options.specials', 'an array of strings', v);
      return v as string[];
    });
    const specialsFirst = optional(o.specialsFirst, true, (v) => {
      if (typeof v !== 'boolean') throw invalid('options.specialsFirst', 'a boolean', v);
      return v;
    });

    this.freqs = counter;
    const itos: string[] = specialsFirst ? [...specials] : [];
    const limit = maxSize === undefined ? Infinity : specialsFirst ? maxSize + specials.length : maxSize;
    const special = new Set(specials);
    // Only words at least as frequent as the room-th most frequent one can make it: find that
    // frequency over a typed array first, then sort those words alone (same result, far less sorting).
    const room = limit - itos.length;
    let threshold = minFreq;
    if (room < counter.size) {
      const freqs = new Float64Array(counter.size);
      let n = 0;
      counter.forEachCount((f, w) => {
        if (f >= minFreq && !special.has(w)) freqs[n++] = -f;
      });
      if (room < n) threshold = room > 0 ? Math.max(minFreq, -freqs.subarray(0, n).sort()[room - 1]) : Infinity;
    }
    const words: Array<[string, number]> = [];
    counter.forEachCount((f, w) => {
      if (f >= threshold && !special.has(w)) words.push([w, f]);
    });
    // torchtext: sorted by word, then stable-sorted by frequency (descending).
    words.sort((x, y) => y[1] - x[1] || compareCodePoints(x[0], y[0]));
    for (const [w] of words) {
      if (itos.length === limit) break;
      itos.push(w);
    }
    const unkPos = specials.indexOf(Vocab.UNK);
    this.unkIndex = unkPos < 0 ? null : specialsFirst ? unkPos : itos.length + unkPos;
    if (!specialsFirst) itos.push(...specials);
    const map = new Map<string, number>();
    itos.forEach((t, i) => map.set(t, i));
    this.itos = itos;
    this.stoi = new StringToIndex(map, this.unkIndex);
  }

  /** Number of entries (`len(vocab)`). */
  get length(): number {
    return this.itos.length;
  }

  /** Index of one token (unknown -> `<unk>`). */
  lookup(token: string): number {
    return this.stoi.get(token);
  }

  /** Indices of many tokens, as an Int32Array. */
  lookupIndices(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.stoi.get(tokens[i]);
    return out;
  }
  /** @internal Remembers `ids` as the indices of `tokens` (what `cachedIndices` would compute). */
  rememberIndices(tokens: readonly string[], ids: Int32Array): void {
    this.idsCache.set(tokens, ids);
  }

  /**
   * @internal The ids of one example's tokens, remembered per token array (examples do not change
   * once made), so the batches of the second and later epochs copy ids instead of looking up every
   * token again. The arrays are held weakly: dropping a dataset frees its ids.
   */
  cachedIndices(tokens: readonly string[]): Int32Array {
    let ids = this.idsCache.get(tokens);
    if (ids === undefined || ids.length !== tokens.length) {
      ids = this.lookupIndices(tokens);
      this.idsCache.set(tokens, ids);
    }
    return ids;
  }

}
