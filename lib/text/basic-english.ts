/**
 * torchtext's `basic_english` tokenizer (`_basic_english_normalize`), character
 * for character, in three forms: strings (`basicEnglishTokenize`), interned ids
 * of a string (`basicEnglishIds`) and interned ids read straight from UTF-8
 * bytes (`basicEnglishIdsFromBytes`, what IMDB.splits uses on an archive).
 */
import { DEFAULT_CACHE_LIMIT, HASH_SEED, TokenInterner } from './interner';
import { asBuffer, checkBytes, utf8SpaceLength } from './utf8';
import { isPySpace } from './whitespace';

/**
 * The interner of `basicEnglishTokenize` and `basicEnglishTokenizeBytes`: their tokens are its
 * keys. Bounded (`limit`, default DEFAULT_CACHE_LIMIT tokens; cleared before a text when over it),
 * since a service calls them on every request: a Field interns into its own interner instead.
 */
export const basicEnglishInterner = new TokenInterner({ limit: DEFAULT_CACHE_LIMIT });

/**
 * torchtext.data.utils._basic_english_normalize: lower-case; `'` -> ` '  `; drop `"`;
 * `. , ( ) ! ?` spaced out; `<br />`, `;`, `:` -> space; split on whitespace.
 * The regex substitutions are applied in torchtext's order; after `"` is removed
 * none of the later ones can create or destroy another's match, so one pass does it.
 * Tokens are interned: equal tokens are the same string instance.
 */
export function basicEnglishTokenize(text: string): string[] {
  basicEnglishInterner.trim();
  return basicEnglishInterner.tokens(basicEnglishIds(text, basicEnglishInterner));
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
 * Callers prime it first (primeBasicEnglish).
 */
function basicEnglishScan(bytes: Uint8Array, start: number, end: number, interner: TokenInterner, out: Int32Array, at: number): number {
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
      const n = utf8SpaceLength(bytes, i - 1, end);
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
  basicEnglishInterner.trim();
  return basicEnglishInterner.tokens(basicEnglishIdsFromBytes(bytes, basicEnglishInterner, start, end));
}
