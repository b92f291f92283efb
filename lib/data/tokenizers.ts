/**
 * Tokenizers by name, as torchtext's `get_tokenizer`:
 * - `'spacy'`: spaCy v3's English rule-based tokenizer (en_core_web_sm's `nlp.tokenizer`), ported.
 * - `'basic_english'`: torchtext's `_basic_english_normalize`, character for character.
 * - `'whitespace'`: Python's `str.split()` (torchtext's default when `tokenize=None`).
 * - any function `(text: string) => string[]`.
 */
import { HASH_SEED, TokenInterner, hashStep } from './interner';
import { SpacyTokenizer, isPySpace } from './spacy/tokenizer';
import { invalid } from './validate';

export type TokenizerFn = (text: string) => string[];
export type TokenizerName = 'spacy' | 'basic_english' | 'whitespace';
export type TokenizerLike = TokenizerName | TokenizerFn;

/** Python's `str.split()` with no argument: split on runs of Unicode whitespace. */
export function whitespaceTokenize(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ws = c === 32 || (c < 128 ? c >= 9 && (c <= 13 || (c >= 28 && c <= 31)) : isPySpace(c));
    if (ws) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

const basicInterner = new TokenInterner();

/**
 * torchtext.data.utils._basic_english_normalize: lower-case; `'` -> ` '  `; drop `"`;
 * `. , ( ) ! ?` spaced out; `<br />`, `;`, `:` -> space; split on whitespace.
 * The regex substitutions are applied in torchtext's order; after `"` is removed
 * none of the later ones can create or destroy another's match, so one pass does it.
 * Tokens are interned: equal tokens are the same string instance.
 */
export function basicEnglishTokenize(text: string): string[] {
  const ids = basicEnglishIds(text, basicInterner);
  const keys = basicInterner.keys;
  const out = new Array<string>(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = keys[ids[k]];
  return out;
}

let scratch = new Int32Array(1 << 16);

/** `basicEnglishTokenize` as token ids in `interner` (no string per token is created for known tokens). */
export function basicEnglishIds(text: string, interner: TokenInterner): Int32Array {
  let line = text.toLowerCase();
  if (line.indexOf('"') >= 0) line = line.replace(/"/g, '');
  const n = line.length;
  if (scratch.length < n + 1) scratch = new Int32Array(n + 1); // at most one token per character
  const out = scratch;
  let count = 0;
  let start = -1;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    // 0: token char, 1: separator, 2: separator that is also a token, 3: '<br />'
    let kind = 0;
    if (c < 128) {
      if (c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31) || c === 59 || c === 58) kind = 1;
      else if (c === 46 || c === 44 || c === 40 || c === 41 || c === 33 || c === 63 || c === 39) kind = 2;
      else if (c === 60 && line.startsWith('<br />', i)) kind = 3;
    } else if (isPySpace(c)) {
      kind = 1;
    }
    if (kind === 0) {
      if (start < 0) {
        start = i;
        h = HASH_SEED;
      }
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (start >= 0) {
      out[count++] = interner.internSpan(line, start, i, h);
      start = -1;
    }
    if (kind === 2) out[count++] = interner.internSpan(line, i, i + 1, Math.imul(HASH_SEED ^ c, 0x01000193));
    else if (kind === 3) i += 5;
  }
  if (start >= 0) out[count++] = interner.internSpan(line, start, n, h);
  return out.slice(0, count);
}

let spacySingleton: SpacyTokenizer | undefined;

/** The shared spaCy-compatible tokenizer (its chunk cache is shared too). */
export function spacyTokenizer(): SpacyTokenizer {
  spacySingleton ??= new SpacyTokenizer();
  return spacySingleton;
}

/** `get_tokenizer`: a tokenizer function from a name or a function. */
export function getTokenizer(tokenizer: TokenizerLike | undefined | null): TokenizerFn {
  if (tokenizer === undefined || tokenizer === null || tokenizer === 'whitespace') return whitespaceTokenize;
  if (typeof tokenizer === 'function') return tokenizer;
  if (tokenizer === 'basic_english') return basicEnglishTokenize;
  if (tokenizer === 'spacy') {
    const t = spacyTokenizer();
    return (text: string) => t.tokenize(text);
  }
  throw invalid('tokenize', "'spacy', 'basic_english', 'whitespace' or a function (text: string) => string[]", tokenizer);
}
