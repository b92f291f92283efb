// Text -> vocabulary ids for a long-running service. The library's tokenizers intern every token they
// have ever seen (fast for training, where the corpus is finite); a service sees an unbounded stream of
// new words, so here each tokenizer's caches are private and started afresh once they hold more than
// `maxCachedTokens` entries. Unknown words map to <unk> and are only kept until the next reset.
import { SpacyTokenizer, whitespaceTokenize } from '../data';
import type { TokenizerName, Vocab } from '../data';
// Not re-exported by lib/data: the interner-taking form of basic_english, from the text engine itself.
import { basicEnglishIds } from '../text/basic-english';
import { TokenInterner } from '../text/interner';

export interface Tokenized {
  ids: Int32Array;
  /** The tokens as the tokenizer split them (for per-word explanations). */
  tokens: string[];
}

export class BoundedTokenizer {
  readonly name: TokenizerName;
  readonly maxCachedTokens: number;
  private readonly vocab: Vocab;
  private readonly lower: boolean;
  private spacy: SpacyTokenizer | null = null;
  private interner: TokenInterner | null = null;
  /** basic_english: interner id -> vocabulary id (-1: not looked up yet). */
  private idOf = new Int32Array(0);
  /** How many times the caches were started afresh (for tests and metrics). */
  resets = 0;

  constructor(name: TokenizerName, vocab: Vocab, options: { lower?: boolean; maxCachedTokens?: number } = {}) {
    this.name = name;
    this.vocab = vocab;
    this.lower = options.lower ?? false;
    // Room for the whole vocabulary plus a working set of unknown words.
    this.maxCachedTokens = options.maxCachedTokens ?? vocab.length + 50_000;
    this.reset();
  }

  /** Number of distinct tokens the caches hold now. */
  get cachedTokens(): number {
    if (this.spacy) return this.spacy.interner.size;
    if (this.interner) return this.interner.size;
    return 0;
  }

  private reset(): void {
    if (this.name === 'spacy') this.spacy = new SpacyTokenizer();
    if (this.name === 'basic_english') {
      this.interner = new TokenInterner();
      this.idOf = new Int32Array(1024).fill(-1);
    }
  }

  private lookup(tokens: string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    const stoi = this.vocab.stoi;
    for (let i = 0; i < tokens.length; i++) out[i] = stoi.get(this.lower ? tokens[i].toLowerCase() : tokens[i]);
    return out;
  }

  tokenize(text: string): Tokenized {
    let result: Tokenized;
    if (this.name === 'spacy') {
      const tokens = (this.spacy as SpacyTokenizer).tokenize(text);
      result = { tokens, ids: this.lookup(tokens) };
    } else if (this.name === 'basic_english') {
      const interner = this.interner as TokenInterner;
      const raw = basicEnglishIds(text, interner);
      const keys = interner.keys;
      if (this.idOf.length < keys.length) {
        const grown = new Int32Array(Math.max(keys.length, this.idOf.length * 2)).fill(-1);
        grown.set(this.idOf);
        this.idOf = grown;
      }
      const ids = new Int32Array(raw.length);
      const tokens = new Array<string>(raw.length);
      const stoi = this.vocab.stoi;
      for (let i = 0; i < raw.length; i++) {
        const k = raw[i];
        tokens[i] = keys[k];
        let id = this.idOf[k];
        if (id < 0) id = this.idOf[k] = stoi.get(this.lower ? keys[k].toLowerCase() : keys[k]);
        ids[i] = id;
      }
      result = { tokens, ids };
    } else {
      const tokens = whitespaceTokenize(text);
      result = { tokens, ids: this.lookup(tokens) };
    }
    if (this.cachedTokens > this.maxCachedTokens) {
      this.resets++;
      this.reset();
    }
    return result;
  }
}
