// Text -> vocabulary ids for a long-running service. Each worker has its own interned tokenizer, bounded
// by the library (cleared before a text once it holds more than `maxCachedTokens` tokens), so a stream
// of new words keeps memory flat. What is serving's own: the bound's default (room for the whole
// vocabulary, so known words are rarely re-interned) and the interner id -> vocabulary id cache, which
// follows the interner's generations. Unknown words map to <unk> and are only kept until the next clear.
import { getTokenizer, whitespaceTokenize } from '../data';
import type { TokenizerName, Vocab } from '../data';
import { internedTokenizer } from '../data/tokenizers';
import type { InternedTokenizer } from '../data/tokenizers';

export interface Tokenized {
  /** Vocabulary ids: the words', then (bundles trained with bigrams) the distinct bigrams'. */
  ids: Int32Array;
  /** The words as the tokenizer split them (for per-word explanations). */
  tokens: string[];
  /** For each bigram id (ids[tokens.length + k]), the position of its first word in `tokens`. */
  bigramAt?: Int32Array;
}

export class BoundedTokenizer {
  readonly name: TokenizerName;
  readonly maxCachedTokens: number;
  private readonly vocab: Vocab;
  private readonly lower: boolean;
  /** FastText bundles: each text's distinct bigrams follow its words, as generateBigrams adds them in training. */
  private readonly bigrams: boolean;
  /** null for whitespace, which caches nothing. */
  private readonly interned: InternedTokenizer | null;
  /** Interner id -> vocabulary id (-1: not looked up yet), for the interner's current generation. */
  private idOf = new Int32Array(0);
  private generation = -1;
  /** How many times the caches were started afresh (for tests and metrics). */
  resets = 0;

  constructor(name: TokenizerName, vocab: Vocab, options: { lower?: boolean; maxCachedTokens?: number; preprocessing?: 'bigrams' } = {}) {
    this.name = name;
    this.vocab = vocab;
    this.lower = options.lower ?? false;
    this.bigrams = options.preprocessing === 'bigrams';
    // Room for the whole vocabulary plus a working set of unknown words.
    this.maxCachedTokens = options.maxCachedTokens ?? vocab.length + 50_000;
    this.interned = internedTokenizer(getTokenizer(name), { limit: this.maxCachedTokens }) ?? null;
  }

  /** Number of distinct tokens the caches hold now. */
  get cachedTokens(): number {
    return this.interned ? this.interned.interner.size : 0;
  }

  tokenize(text: string): Tokenized {
    const words = this.words(text);
    return this.bigrams ? this.withBigrams(words) : words;
  }

  /**
   * generateBigrams' tokens after the words: each distinct "a b" pair once, in order of first
   * appearance. Bigrams are looked up in the vocabulary, not cached (unknown ones are <unk>).
   */
  private withBigrams(w: Tokenized): Tokenized {
    const { tokens } = w;
    const seen = new Set<string>();
    const ids: number[] = Array.from(w.ids);
    const at: number[] = [];
    const stoi = this.vocab.stoi;
    for (let i = 0; i + 1 < tokens.length; i++) {
      const bigram = `${tokens[i]} ${tokens[i + 1]}`;
      if (seen.has(bigram)) continue;
      seen.add(bigram);
      ids.push(stoi.get(this.lower ? bigram.toLowerCase() : bigram));
      at.push(i);
    }
    return { tokens, ids: Int32Array.from(ids), bigramAt: Int32Array.from(at) };
  }

  private words(text: string): Tokenized {
    const stoi = this.vocab.stoi;
    if (!this.interned) {
      const tokens = whitespaceTokenize(text);
      const ids = new Int32Array(tokens.length);
      for (let i = 0; i < tokens.length; i++) ids[i] = stoi.get(this.lower ? tokens[i].toLowerCase() : tokens[i]);
      return { tokens, ids };
    }
    const raw = this.interned.ids(text);
    const interner = this.interned.interner;
    if (interner.generation !== this.generation) {
      if (this.generation >= 0) this.resets++;
      this.generation = interner.generation;
      this.idOf.fill(-1);
    }
    const keys = interner.keys;
    if (this.idOf.length < keys.length) {
      const grown = new Int32Array(Math.max(keys.length, this.idOf.length * 2, 1024)).fill(-1);
      grown.set(this.idOf);
      this.idOf = grown;
    }
    const ids = new Int32Array(raw.length);
    const tokens = new Array<string>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const k = raw[i];
      tokens[i] = keys[k];
      let id = this.idOf[k];
      if (id < 0) id = this.idOf[k] = stoi.get(this.lower ? keys[k].toLowerCase() : keys[k]);
      ids[i] = id;
    }
    return { tokens, ids };
  }
}
