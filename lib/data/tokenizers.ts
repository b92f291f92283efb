/**
 * Tokenizers by name, as torchtext's `get_tokenizer`:
 * - `'spacy'`: spaCy v3's English rule-based tokenizer (en_core_web_sm's `nlp.tokenizer`), ported.
 * - `'basic_english'`: torchtext's `_basic_english_normalize`, character for character.
 * - `'whitespace'`: Python's `str.split()` (torchtext's default when `tokenize=None`).
 * - any function `(text: string) => string[]`.
 * The tokenizers themselves live in lib/text/.
 */
import { basicEnglishIds, basicEnglishIdsFromBytes, basicEnglishInterner, basicEnglishTokenize } from '../text/basic-english';
import type { TokenInterner } from '../text/interner';
import { SpacyTokenizer } from '../text/spacy/tokenizer';
import { whitespaceTokenize } from '../text/whitespace';
import { invalid } from '../validate';

export type TokenizerFn = (text: string) => string[];
export type TokenizerName = 'spacy' | 'basic_english' | 'whitespace';
export type TokenizerLike = TokenizerName | TokenizerFn;

let spacySingleton: SpacyTokenizer | undefined;

/** The shared spaCy-compatible tokenizer (its chunk cache is shared too). */
export function spacyTokenizer(): SpacyTokenizer {
  spacySingleton ??= new SpacyTokenizer();
  return spacySingleton;
}

let spacyFn: TokenizerFn | undefined;

/** `get_tokenizer`: a tokenizer function from a name or a function. */
export function getTokenizer(tokenizer: TokenizerLike | undefined | null): TokenizerFn {
  if (tokenizer === undefined || tokenizer === null || tokenizer === 'whitespace') return whitespaceTokenize;
  if (typeof tokenizer === 'function') return tokenizer;
  if (tokenizer === 'basic_english') return basicEnglishTokenize;
  if (tokenizer === 'spacy') {
    const t = spacyTokenizer();
    spacyFn ??= (text: string) => t.tokenize(text);
    return spacyFn;
  }
  throw invalid('tokenize', "'spacy', 'basic_english', 'whitespace' or a function (text: string) => string[]", tokenizer);
}

/**
 * A tokenizer function's interned form: token ids in `interner` (whose keys
 * are the very strings the function returns), so counting and lookups run
 * over typed arrays. `idsFromBytes` reads UTF-8 without decoding it.
 */
export interface InternedTokenizer {
  readonly interner: TokenInterner;
  ids(text: string): Int32Array;
  idsFromBytes?(bytes: Uint8Array): Int32Array;
}

const basicEnglishInterned: InternedTokenizer = {
  interner: basicEnglishInterner,
  ids: (text) => basicEnglishIds(text, basicEnglishInterner),
  idsFromBytes: (bytes) => basicEnglishIdsFromBytes(bytes, basicEnglishInterner),
};

/** The interned form of a function `getTokenizer` returned ('basic_english', 'spacy'), else undefined. */
export function internedTokenizer(fn: TokenizerFn): InternedTokenizer | undefined {
  if (fn === basicEnglishTokenize) return basicEnglishInterned;
  if (fn === spacyFn) {
    const t = spacyTokenizer();
    return { interner: t.interner, ids: (text) => t.tokenizeIds(text) };
  }
  return undefined;
}
