/**
 * `Corpus`: many texts tokenized into one Int32Array of interned token ids
 * (plus offsets), the bulk form of the pipeline. Counting, vocabulary
 * building and numericalization then run over typed arrays: one Map lookup
 * per distinct token instead of one per token. Results are identical to the
 * string path (`Field.preprocess` + `buildVocab` + `numericalizeTokens`).
 */
import { TokenInterner } from './interner';
import { TokenizerFn, basicEnglishIds, basicEnglishScan, checkBytes, decodeUtf8, primeBasicEnglish, spacyTokenizer, whitespaceTokenize } from './tokenizers';
import { invalid } from './validate';
import { Counter, Vocab } from './vocab';

export type CorpusTokenizer = 'spacy' | 'basic_english' | 'whitespace' | TokenizerFn;

export class Corpus {
  /** id -> token (`interner.keys`). */
  readonly interner: TokenInterner;
  /** Token ids of all texts, back to back. */
  readonly ids: Int32Array;
  /** Text i is `ids.subarray(offsets[i], offsets[i + 1])`. */
  readonly offsets: Int32Array;

  private constructor(interner: TokenInterner, ids: Int32Array, offsets: Int32Array) {
    this.interner = interner;
    this.ids = ids;
    this.offsets = offsets;
  }

  /** Tokenizes every text. 'spacy' shares the spaCy tokenizer's interner and chunk cache. */
  static fromTexts(texts: readonly string[], tokenizer: CorpusTokenizer): Corpus {
    if (!Array.isArray(texts)) throw invalid('texts', 'an array of strings', texts);
    const b = new CorpusBuilder(tokenizer);
    for (const t of texts) b.add(t);
    return b.finish();
  }

  /** @internal */
  static create(interner: TokenInterner, ids: Int32Array, offsets: Int32Array): Corpus {
    return new Corpus(interner, ids, offsets);
  }

  /** Number of texts. */
  get length(): number {
    return this.offsets.length - 1;
  }

  idsOf(i: number): Int32Array {
    return this.ids.subarray(this.offsets[i], this.offsets[i + 1]);
  }

  /** Tokens of text i (shared string instances). */
  tokensOf(i: number): string[] {
    const keys = this.interner.keys;
    return Array.from(this.idsOf(i), (id) => keys[id]);
  }

  /** Token counts over texts `indices` (default all), in first-seen order like collections.Counter. */
  counter(indices?: Iterable<number>): Counter {
    const counts = new Int32Array(this.interner.size);
    const order: number[] = [];
    const visit = (i: number) => {
      for (let k = this.offsets[i]; k < this.offsets[i + 1]; k++) {
        const id = this.ids[k];
        if (counts[id]++ === 0) order.push(id);
      }
    };
    if (indices === undefined) for (let i = 0; i < this.length; i++) visit(i);
    else for (const i of indices) visit(i);
    const keys = this.interner.keys;
    const tokens = new Array<string>(order.length);
    const freqs = new Int32Array(order.length);
    for (let k = 0; k < order.length; k++) {
      tokens[k] = keys[order[k]];
      freqs[k] = counts[order[k]];
    }
    return Counter.fromArrays(tokens, freqs);
  }

  /** Vocabulary indices of every token (`vocab.stoi[token]`), aligned with `ids`. */
  numericalize(vocab: Vocab): Int32Array {
    const keys = this.interner.keys;
    const map = new Int32Array(keys.length);
    for (let id = 0; id < keys.length; id++) map[id] = vocab.stoi.get(keys[id]);
    const ids = this.ids;
    const out = new Int32Array(ids.length);
    for (let k = 0; k < out.length; k++) out[k] = map[ids[k]];
    return out;
  }
}

/** Builds a Corpus one text at a time (e.g. while an archive is still being read). */
export class CorpusBuilder {
  readonly interner: TokenInterner;
  private readonly tok: (text: string) => Int32Array;
  /** basic_english only: writes the ids of UTF-8 bytes into `out` at `at`; the end, or -1 (see basicEnglishScan). */
  private readonly scanBytes: ((bytes: Uint8Array, start: number, end: number, out: Int32Array, at: number) => number) | undefined;
  /** All ids so far, back to back (grown by doubling). */
  private ids = new Int32Array(1 << 16);
  private total = 0;
  private offsets: number[] = [0];

  constructor(tokenizer: CorpusTokenizer) {
    if (tokenizer === 'spacy') {
      const sp = spacyTokenizer();
      this.interner = sp.interner;
      this.tok = (t) => sp.tokenizeIds(t);
    } else if (tokenizer === 'basic_english') {
      const interner = (this.interner = new TokenInterner());
      this.tok = (t) => basicEnglishIds(t, interner);
      this.scanBytes = (b, start, end, out, at) => basicEnglishScan(b, start, end, interner, out, at);
      primeBasicEnglish();
    } else if (tokenizer === 'whitespace' || typeof tokenizer === 'function') {
      const interner = (this.interner = new TokenInterner());
      const fn = tokenizer === 'whitespace' ? whitespaceTokenize : tokenizer;
      this.tok = (t) => Int32Array.from(fn(t), (s) => interner.intern(s));
    } else {
      throw invalid('tokenizer', "'spacy', 'basic_english', 'whitespace' or a function", tokenizer);
    }
  }

  /** Number of texts added so far. */
  get length(): number {
    return this.offsets.length - 1;
  }

  /** Tokenizes `text`; returns its index in the corpus. */
  add(text: string): number {
    if (typeof text !== 'string') throw invalid('text', 'a string', text);
    const ids = this.tok(text);
    this.reserve(ids.length);
    this.ids.set(ids, this.total);
    return this.close(this.total + ids.length);
  }

  /**
   * Tokenizes the UTF-8 text `bytes[start, end)` (default: all of it); returns
   * its index in the corpus. Same result as `add` of the decoded text;
   * 'basic_english' reads the bytes without decoding them.
   */
  addBytes(bytes: Uint8Array, start = 0, end?: number): number {
    end = checkBytes(bytes, start, end);
    if (this.scanBytes === undefined) return this.add(decodeUtf8(bytes, start, end));
    this.reserve(end - start); // at most one token per byte
    const stop = this.scanBytes(bytes, start, end, this.ids, this.total);
    return stop < 0 ? this.add(decodeUtf8(bytes, start, end)) : this.close(stop);
  }

  finish(): Corpus {
    // A view when at most a quarter of the buffer is unused (copying IMDb's 13 million ids costs ~30 ms).
    const ids = this.total * 4 >= this.ids.length * 3 ? this.ids.subarray(0, this.total) : this.ids.slice(0, this.total);
    const corpus = Corpus.create(this.interner, ids, Int32Array.from(this.offsets));
    this.ids = new Int32Array(1 << 16);
    this.total = 0;
    this.offsets = [0];
    return corpus;
  }

  private reserve(n: number): void {
    if (this.total + n <= this.ids.length) return;
    const grown = new Int32Array(Math.max(this.ids.length * 2, this.total + n, 1 << 20));
    grown.set(this.ids.subarray(0, this.total));
    this.ids = grown;
  }

  private close(end: number): number {
    this.total = end;
    this.offsets.push(end);
    return this.offsets.length - 2;
  }
}
