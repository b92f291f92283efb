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

// basic_english over UTF-8 bytes. Byte classes: 0 token byte, 1 separator, 2 separator
// that is itself a token (. , ( ) ! ? '), 3 '<' (maybe '<br />'), 4 '"' (removed), 5 not ASCII.
const BYTE_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c >= 0x80) BYTE_CLASS[c] = 5;
  else if (c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31) || c === 59 || c === 58) BYTE_CLASS[c] = 1;
  else if (c === 46 || c === 44 || c === 40 || c === 41 || c === 33 || c === 63 || c === 39) BYTE_CLASS[c] = 2;
  else if (c === 60) BYTE_CLASS[c] = 3;
  else if (c === 34) BYTE_CLASS[c] = 4;
}
/** ASCII lower-case (what Python's str.lower() does to ASCII). */
const LOWER = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));
const BR = [98, 114, 32, 47, 62]; // 'br />' after the '<'
let tokenBytes = new Uint8Array(1 << 16); // grown for longer texts

/** End of '<br />' whose 'br />' starts at `p` once lower-cased and with '"' removed, or -1. */
function brEnd(bytes: Uint8Array, p: number, end: number): number {
  for (let j = 0; j < 5;) {
    if (p >= end) return -1;
    const c = bytes[p++];
    if (c === 34) continue;
    if (c >= 0x80 || LOWER[c] !== BR[j]) return -1;
    j++;
  }
  return p;
}

/**
 * Length of the UTF-8 sequence at `i` when it encodes a character Python's
 * `str.isspace()` accepts (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000), else 0. A lead byte always starts a
 * character for the decoder too, so this agrees with decoding the whole text.
 */
function spaceLength(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i];
  if (b0 === 0xc2) return i + 1 < end && (bytes[i + 1] === 0x85 || bytes[i + 1] === 0xa0) ? 2 : 0;
  if (b0 < 0xe1 || b0 > 0xe3 || i + 2 >= end) return 0;
  const b1 = bytes[i + 1];
  const b2 = bytes[i + 2];
  if (b0 === 0xe1) return b1 === 0x9a && b2 === 0x80 ? 3 : 0; // U+1680
  if (b0 === 0xe3) return b1 === 0x80 && b2 === 0x80 ? 3 : 0; // U+3000
  if (b1 === 0x80) return (b2 >= 0x80 && b2 <= 0x8a) || b2 === 0xa8 || b2 === 0xa9 || b2 === 0xaf ? 3 : 0;
  return b1 === 0x81 && b2 === 0x9f ? 3 : 0; // U+205F
}

/**
 * Id of a token that has non-ASCII bytes, `bytes[start, end)`: decoded alone,
 * '"' removed, lower-cased. -1 when it holds a capital sigma, whose
 * lower-case (final or not) depends on the characters around the token.
 */
function internDecoded(bytes: Uint8Array, start: number, end: number, interner: TokenInterner): number {
  let t = asBuffer(bytes).toString('utf8', start, end);
  if (t.indexOf('\u03a3') >= 0) return -1;
  if (t.indexOf('"') >= 0) t = t.replace(/"/g, '');
  return interner.intern(t.toLowerCase());
}

/**
 * basic_english of the UTF-8 text `bytes[start, end)`, ids written to `out`
 * from `at` (room for end - start ids needed); returns where the ids end, or
 * -1 when the text must go through the string path instead (a capital sigma;
 * the tokens interned until then are tokens of the text anyway). ASCII
 * tokens are lower-cased, hashed and looked up from the bytes; a token with
 * other bytes is decoded alone: every separator is ASCII or a whole
 * whitespace character, and lower-casing one token gives what lower-casing
 * the text gives except for the sigma.
 * @internal (callers prime it first: primeBasicEnglish)
 */
export { primeBasicEnglish };

export function basicEnglishScan(bytes: Uint8Array, start: number, end: number, interner: TokenInterner, out: Int32Array, at: number): number {
  if (tokenBytes.length < end - start) tokenBytes = new Uint8Array(Math.max(end - start, 2 * tokenBytes.length));
  const tok = tokenBytes;
  let len = 0; // bytes of the current token so far (quotes excluded); 0: no token
  let from = start; // the current token starts here or later (only '"' in between)
  let wide = false; // the current token has non-ASCII bytes
  let h = HASH_SEED;
  let count = at;
  let i = start;
  while (i < end) {
    const c = bytes[i++];
    const kind = BYTE_CLASS[c];
    if (kind === 0) {
      const lc = LOWER[c];
      tok[len++] = lc;
      h = Math.imul(h ^ lc, 0x01000193);
      continue;
    }
    if (kind === 4) continue; // '"' is removed
    let next = i; // first byte after this separator
    if (kind === 3) {
      const e = brEnd(bytes, i, end);
      if (e < 0) { // a plain '<'
        tok[len++] = 60;
        h = Math.imul(h ^ 60, 0x01000193);
        continue;
      }
      next = e;
    } else if (kind === 5) {
      const n = spaceLength(bytes, i - 1, end);
      if (n === 0) {
        wide = true;
        len++;
        continue;
      }
      next = i - 1 + n;
    }
    if (len > 0) {
      if (wide) {
        const id = internDecoded(bytes, from, i - 1, interner);
        if (id < 0) return -1;
        out[count++] = id;
        wide = false;
      } else {
        out[count++] = interner.internBytes(tok, len, h);
      }
      len = 0;
      h = HASH_SEED;
    }
    if (kind === 2) out[count++] = interner.internByte(c);
    i = from = next;
  }
  if (len > 0) {
    if (wide) {
      const id = internDecoded(bytes, from, end, interner);
      if (id < 0) return -1;
      out[count++] = id;
    } else {
      out[count++] = interner.internBytes(tok, len, h);
    }
  }
  return count;
}

let primed = false;

/**
 * Runs basicEnglishScan (and the interner paths it uses) once over a small
 * sample that takes every branch: quotes, '<br />' variants, non-ASCII tokens
 * and whitespace, a capital sigma, long and new tokens, table and pool
 * growth. Without it TurboFan compiles the scanner before the rare branches
 * have type feedback and deoptimizes it each time one is first taken (seven
 * times on IMDb), and reviews run unoptimized until it recompiles. Costs
 * about a millisecond, once per process.
 */
function primeBasicEnglish(): void {
  if (primed) return;
  primed = true;
  const samples = [
    'The <br />Movie\'s "great" <BR />x<br "/>y <b <br a <br / (ok)! yes? no; a:b, e.g. end.',
    'café naïve\u00a0x\u2028y\u3000z\u1680w\u205fv\u0085u\u2000t\u202fs é"s "é" x é',
    'ΑΣ.', 'a ΑΣ', 'é', 'abc', '', '<', 'a"', '\u00a0', `${'long'.repeat(100)} x`,
  ].map((t) => Buffer.from(t, 'utf8'));
  samples.push(Buffer.from([0x61, 0xe2, 0x80]), Buffer.from([0x61, 0xc2]), Buffer.from([0xe1, 0x9a, 0x81, 0x20, 0xe3, 0x80, 0x81]));
  const words: string[] = [];
  for (let k = 0; k < 1100; k++) words.push(`w${k}`); // past the first table size (rehash) and pool size
  const interner = new TokenInterner();
  let out = new Int32Array(64);
  const run = (b: Buffer) => {
    if (out.length < b.length) out = new Int32Array(b.length);
    if (basicEnglishScan(b, 0, b.length, interner, out, 0) < 0) basicEnglishIds(b.toString('utf8'), interner);
  };
  run(Buffer.from(words.join(' '), 'latin1'));
  // V8 records type feedback for a function only after its first few calls: repeat the small samples.
  for (let round = 0; round < 12; round++) samples.forEach(run);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * @internal The checks of every function that reads UTF-8 bytes: `bytes` is a Uint8Array (or Buffer)
 * and `[start, end)` lies within it. Returns `end`, which defaults to the length.
 */
export function checkBytes(bytes: unknown, start = 0, end?: number): number {
  if (!(bytes instanceof Uint8Array)) throw invalid('bytes', 'a Uint8Array or Buffer', bytes);
  const stop = end ?? bytes.length;
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > bytes.length || start > stop) {
    throw new RangeError(`[start, end) = [${start}, ${stop}) is not within the ${bytes.length} bytes`);
  }
  return stop;
}

/** The UTF-8 text `bytes[start, end)` (invalid sequences become U+FFFD, as Buffer#toString does). */
export function decodeUtf8(bytes: Uint8Array, start = 0, end?: number): string {
  const stop = checkBytes(bytes, start, end);
  return asBuffer(bytes).toString('utf8', start, stop);
}

/**
 * End of the first line of `bytes` (index of the first '\n' or '\r', or the
 * length): what Python's `f.readline()` reads in text mode, without the line break.
 */
export function firstLineEnd(bytes: Uint8Array): number {
  checkBytes(bytes);
  const b = asBuffer(bytes);
  const lf = b.indexOf(10);
  const cr = b.indexOf(13);
  let end = b.length;
  if (lf >= 0) end = lf;
  if (cr >= 0 && cr < end) end = cr;
  return end;
}

/**
 * `basicEnglishIds` of the UTF-8 text `bytes[start, end)`, read straight from
 * the bytes: ASCII tokens are lower-cased and interned without a string per
 * token (or per text); only tokens with other characters are decoded. Same
 * ids as decoding the text and calling `basicEnglishIds`.
 */
export function basicEnglishIdsFromBytes(bytes: Uint8Array, interner: TokenInterner, start = 0, end?: number): Int32Array {
  end = checkBytes(bytes, start, end);
  primeBasicEnglish();
  if (scratch.length < end - start) scratch = new Int32Array(end - start);
  const count = basicEnglishScan(bytes, start, end, interner, scratch, 0);
  if (count >= 0) return scratch.slice(0, count);
  return basicEnglishIds(asBuffer(bytes).toString('utf8', start, end), interner);
}

/** `basicEnglishTokenize` of UTF-8 bytes (see basicEnglishIdsFromBytes); tokens are shared string instances. */
export function basicEnglishTokenizeBytes(bytes: Uint8Array, start = 0, end?: number): string[] {
  const ids = basicEnglishIdsFromBytes(bytes, basicInterner, start, end);
  const keys = basicInterner.keys;
  const out = new Array<string>(ids.length);
  for (let k = 0; k < ids.length; k++) out[k] = keys[ids[k]];
  return out;
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
