/**
 * `TokenIds`: the interner ids behind the token arrays a Field makes with an
 * interned tokenizer ('basic_english', 'spacy'), so that `buildVocab` counts
 * and batches numericalize over typed arrays: one array access per token
 * instead of one Map lookup, same results. Examples do not change once made;
 * an array this did not make, or whose length changed, goes by its strings.
 */
import { DEFAULT_CACHE_LIMIT } from '../text/interner';
import { decodeUtf8 } from '../text/utf8';
import { defineLazyTokens, pendingIds } from './lazy-tokens';
import type { InternedTokenizer } from './tokenizers';
import { Counter, Vocab } from './vocab';

export class TokenIds {
  private readonly tokenizer: InternedTokenizer;
  /** Ids of the token arrays made here, held weakly (dropping a dataset frees them). */
  private readonly idsByTokens = new WeakMap<readonly string[], Int32Array>();
  /** Interner id -> index in `mapVocab` (-1: not in it, and it has no `<unk>`), grown with the interner. */
  private map = new Int32Array(0);
  private mapVocab: Vocab | undefined;
  /** Past this many interned tokens, `tokenize` declines (see freeze). */
  private limit = Infinity;

  constructor(tokenizer: InternedTokenizer) {
    this.tokenizer = tokenizer;
  }

  /**
   * Called once the vocabulary is built: the interner may still grow by `slack` tokens (a test
   * split read afterwards, a few predictions), then `tokenize` declines and the Field tokenizes
   * with the shared, bounded tokenizer instead (same tokens, by their strings): a Field used in a
   * long-running service does not keep every word it is sent.
   */
  freeze(slack = DEFAULT_CACHE_LIMIT): void {
    this.limit = this.tokenizer.interner.size + slack;
  }

  /** The tokens of `text`, remembered with their ids; undefined past the limit (see freeze). */
  tokenize(text: string): string[] | undefined {
    if (this.tokenizer.interner.size > this.limit) return undefined;
    return this.remember(this.tokenizer.ids(text));
  }

  /** The tokens of the UTF-8 `bytes` read without decoding them, or undefined when the tokenizer cannot (or past the limit). */
  tokenizeBytes(bytes: Uint8Array): string[] | undefined {
    if (this.tokenizer.idsFromBytes === undefined || this.tokenizer.interner.size > this.limit) return undefined;
    return this.remember(this.tokenizer.idsFromBytes(bytes));
  }

  /**
   * The ids of the tokens of the UTF-8 `bytes` (the same as `tokenizeBytes`'), no token string made
   * (see `lazy`); undefined past the limit (see freeze). A tokenizer that cannot read bytes gets the
   * decoded text.
   */
  idsOfBytes(bytes: Uint8Array): Int32Array | undefined {
    if (this.tokenizer.interner.size > this.limit) return undefined;
    if (this.tokenizer.idsFromBytes !== undefined) return this.tokenizer.idsFromBytes(bytes);
    let text = decodeUtf8(bytes);
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 10) end--; // as Field.preprocess: rstrip('\n')
    if (end < text.length) text = text.slice(0, end);
    return this.tokenizer.ids(text);
  }

  /** Makes `example[name]` the tokens of `ids` (from `idsOfBytes`), as an array made on first read (see lazy-tokens.ts). */
  lazy(example: object, name: string, ids: Int32Array): void {
    defineLazyTokens(example, name, ids, this, this.materialize);
  }

  /** The ids of `example[name]` when its tokens were interned here and are not made yet. */
  pending(example: unknown, name: string): Int32Array | undefined {
    return pendingIds(example, name, this);
  }

  private readonly materialize = (ids: Int32Array): string[] => this.remember(ids);

  private remember(ids: Int32Array): string[] {
    const tokens = this.tokenizer.interner.tokens(ids);
    this.idsByTokens.set(tokens, ids);
    return tokens;
  }

  /** The ids of a token array made here (unchanged since), else undefined. */
  of(tokens: readonly string[]): Int32Array | undefined {
    const ids = this.idsByTokens.get(tokens);
    return ids !== undefined && ids.length === tokens.length ? ids : undefined;
  }

  /**
   * The Counter of `values` when every one is a token array made here, or a pending one (its ids
   * at the same index of `ids`), else undefined: the same counts in the same first-seen order as
   * `Counter.update` over the strings.
   */
  count(values: readonly unknown[], ids?: ReadonlyArray<Int32Array | undefined>): Counter | undefined {
    const lists: Int32Array[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const list = ids?.[i] ?? (Array.isArray(v) ? this.of(v) : undefined);
      if (list === undefined) return undefined;
      lists.push(list);
    }
    const interner = this.tokenizer.interner;
    const counts = new Int32Array(interner.size);
    const order: number[] = [];
    for (const list of lists) {
      for (let k = 0; k < list.length; k++) if (counts[list[k]]++ === 0) order.push(list[k]);
    }
    return Counter.fromArrays(interner.tokens(order), Int32Array.from(order, (id) => counts[id]));
  }

  /**
   * Writes the indices in `vocab` of `tokens[from, from + count)` to `out` from `at`; false (and
   * nothing written) when `tokens` was not made here.
   */
  write(vocab: Vocab, tokens: readonly string[], from: number, count: number, out: Int32Array, at: number): boolean {
    const ids = this.of(tokens);
    if (ids === undefined) return false;
    this.writeIds(vocab, ids, from, count, out, at);
    return true;
  }

  /** Writes the indices in `vocab` of the tokens `ids[from, from + count)` (interned here) to `out` from `at`. */
  writeIds(vocab: Vocab, ids: Int32Array, from: number, count: number, out: Int32Array, at: number): void {
    const map = this.indicesIn(vocab);
    for (let k = 0; k < count; k++) {
      const i = map[ids[from + k]];
      // Not in a vocabulary without <unk>: stoi says so, by the token.
      out[at + k] = i >= 0 ? i : vocab.stoi.get(this.tokenizer.interner.keys[ids[from + k]]);
    }
  }

  /** Interner id -> index in `vocab` for every id interned so far. */
  private indicesIn(vocab: Vocab): Int32Array {
    const keys = this.tokenizer.interner.keys;
    if (this.mapVocab !== vocab) {
      this.mapVocab = vocab;
      this.map = new Int32Array(0);
    }
    if (this.map.length < keys.length) {
      const map = new Int32Array(keys.length);
      map.set(this.map);
      const stoi = vocab.stoi;
      const unk = vocab.unkIndex ?? -1;
      for (let id = this.map.length; id < keys.length; id++) map[id] = stoi.has(keys[id]) ? stoi.get(keys[id]) : unk;
      this.map = map;
    }
    return this.map;
  }
}
