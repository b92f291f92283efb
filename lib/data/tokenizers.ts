/**
 * Tokenizers by name, as torchtext's `get_tokenizer`:
 * - `'spacy'`: spaCy v3's English rule-based tokenizer (en_core_web_sm's `nlp.tokenizer`), ported.
 * - `'basic_english'`: torchtext's `_basic_english_normalize`, character for character.
 * - `'whitespace'`: Python's `str.split()` (torchtext's default when `tokenize=None`).
 * - any function `(text: string) => string[]`.
 * The tokenizers themselves live in lib/text/.
 */
import { basicEnglishIds, basicEnglishIdsFromBytes, basicEnglishInterner, basicEnglishTokenize } from '../text/basic-english';
import { TokenInterner } from '../text/interner';
import { SpacyRules, SpacyTokenizer, englishRules } from '../text/spacy/tokenizer';
import { whitespaceTokenize } from '../text/whitespace';
import { checkNumber, invalid } from '../validate';

export type TokenizerFn = (text: string) => string[];
export type TokenizerName = 'spacy' | 'basic_english' | 'whitespace';
export type TokenizerLike = TokenizerName | TokenizerFn;

let spacySingleton: SpacyTokenizer | undefined;
let rules: SpacyRules | undefined;
let cacheLimit: number | undefined;

/** The English rules, compiled once (their regexes keep no state between calls). */
function sharedRules(): SpacyRules {
  rules ??= englishRules();
  return rules;
}

/**
 * The shared spaCy-compatible tokenizer (its chunk cache is shared too), bounded like
 * `basicEnglishTokenize`: see setTokenizerCacheLimit.
 */
export function spacyTokenizer(): SpacyTokenizer {
  spacySingleton ??= new SpacyTokenizer(sharedRules(), cacheLimit === undefined ? {} : { maxTokens: cacheLimit });
  return spacySingleton;
}

/**
 * Most tokens the shared tokenizers ('basic_english', 'spacy' through `getTokenizer`) keep
 * interned, and chunks spaCy keeps cached, between texts (default 65,536): past it they start
 * afresh before the next text, so a long-running service keeps a flat memory whatever it is sent.
 * Infinity keeps everything. Fields are not affected: they intern into their own tables.
 */
export function setTokenizerCacheLimit(maxTokens: number): void {
  checkNumber('maxTokens', maxTokens, { finite: false, min: 1 });
  cacheLimit = maxTokens;
  basicEnglishInterner.limit = maxTokens;
  if (spacySingleton !== undefined) spacySingleton.interner.limit = maxTokens;
}

let spacyFn: TokenizerFn | undefined;

/** `get_tokenizer`: a tokenizer function from a name or a function. */
export function getTokenizer(tokenizer: TokenizerLike | undefined | null): TokenizerFn {
  if (tokenizer === undefined || tokenizer === null || tokenizer === 'whitespace') return whitespaceTokenize;
  if (typeof tokenizer === 'function') return tokenizer;
  if (tokenizer === 'basic_english') return basicEnglishTokenize;
  if (tokenizer === 'spacy') {
    spacyFn ??= (text: string) => spacyTokenizer().tokenize(text);
    return spacyFn;
  }
  throw invalid('tokenize', "'spacy', 'basic_english', 'whitespace' or a function (text: string) => string[]", tokenizer);
}

/**
 * A tokenizer function's interned form: token ids in `interner` (whose keys
 * are strings equal to those the function returns), so counting and lookups run
 * over typed arrays. `idsFromBytes` reads UTF-8 without decoding it.
 */
export interface InternedTokenizer {
  readonly interner: TokenInterner;
  ids(text: string): Int32Array;
  idsFromBytes?(bytes: Uint8Array): Int32Array;
}

/**
 * The interned form of a function `getTokenizer` returned ('basic_english', 'spacy'), else
 * undefined: a new one, with its own unbounded interner (and spaCy chunk cache), for one Field.
 * The shared tokenizers are bounded, and a trim would invalidate the ids a Field keeps for its
 * examples; a Field's tables grow with its corpus only (see TokenIds.freeze).
 */
export function internedTokenizer(fn: TokenizerFn): InternedTokenizer | undefined {
  if (fn === basicEnglishTokenize) {
    const interner = new TokenInterner();
    return {
      interner,
      ids: (text) => basicEnglishIds(text, interner),
      idsFromBytes: (bytes) => basicEnglishIdsFromBytes(bytes, interner),
    };
  }
  if (fn === spacyFn) {
    // Made on first use: a Field that never tokenizes (one given a vocabulary) costs nothing.
    let t: SpacyTokenizer | undefined;
    const own = () => (t ??= new SpacyTokenizer(sharedRules(), { maxTokens: Infinity }));
    return {
      get interner() {
        return own().interner;
      },
      ids: (text) => own().tokenizeIds(text),
    };
  }
  return undefined;
}
