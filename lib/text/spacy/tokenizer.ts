/**
 * A TypeScript port of spaCy v3's rule-based English tokenizer (what
 * `en_core_web_sm`'s `nlp.tokenizer` does, and what TorchText called for
 * `tokenize='spacy'`): split on whitespace, then peel prefixes and suffixes,
 * apply special cases (contractions, abbreviations, emoticons), keep URLs and
 * e-mails whole, split infixes, and finally re-merge special cases that the
 * affix rules had cut apart (spaCy's special-case matcher pass).
 *
 * The algorithm follows spacy/tokenizer.pyx (`_tokenize_affixes`,
 * `_split_affixes`, `_attach_tokens`, `_apply_special_cases`); the rules follow
 * spacy/lang/punctuation.py, spacy/lang/en/punctuation.py and the exception
 * lists. Whitespace is Python's `str.isspace()`.
 */
import {
  ALPHA, ALPHA_LOWER, ALPHA_UPPER, CONCAT_QUOTES, CURRENCY, HYPHENS, LIST_CURRENCY, LIST_ELLIPSES, LIST_ICONS,
  LIST_PUNCT, LIST_QUOTES, PUNCT, UNITS,
} from './char-classes';
import { englishSpecialCases } from './exceptions';
import { DEFAULT_CACHE_LIMIT, HASH_SEED, TokenInterner } from '../interner';
import { PY_SPACE_CLASS, isPySpace } from '../whitespace';
import { invalid } from '../../validate';

const PREFIXES = ['§', '%', '=', '—', '–', String.raw`\+(?![0-9])`, ...LIST_PUNCT, ...LIST_ELLIPSES, ...LIST_QUOTES,
  ...LIST_CURRENCY, ...LIST_ICONS];

const SUFFIXES = [
  ...LIST_PUNCT, ...LIST_ELLIPSES, ...LIST_QUOTES, ...LIST_ICONS, "'s", "'S", '’s', '’S', '—', '–',
  String.raw`(?<=[0-9])\+`,
  String.raw`(?<=°[FfCcKk])\.`,
  String.raw`(?<=[0-9])(?:${CURRENCY})`,
  String.raw`(?<=[0-9])(?:${UNITS})`,
  String.raw`(?<=[0-9${ALPHA_LOWER}%²\-\+${PUNCT}(?:${CONCAT_QUOTES})])\.`,
  String.raw`(?<=[${ALPHA_UPPER}][${ALPHA_UPPER}])\.`,
];

const INFIXES = [
  ...LIST_ELLIPSES, ...LIST_ICONS,
  String.raw`(?<=[0-9])[+\-\*^](?=[0-9-])`,
  String.raw`(?<=[${ALPHA_LOWER}${CONCAT_QUOTES}])\.(?=[${ALPHA_UPPER}${CONCAT_QUOTES}])`,
  String.raw`(?<=[${ALPHA}]),(?=[${ALPHA}])`,
  String.raw`(?<=[${ALPHA}0-9])(?:${HYPHENS})(?=[${ALPHA}])`,
  String.raw`(?<=[${ALPHA}0-9])[:<>=/](?=[${ALPHA}])`,
];

// spacy/lang/tokenizer_exceptions.py URL_PATTERN with Python's Unicode \d, \w, \S spelled out.
const D = String.raw`\p{Nd}`;
const S = `[^${PY_SPACE_CLASS}]`;
const URL_PATTERN =
  '^' +
  String.raw`(?:(?:[\p{L}\p{N}_\+\-\.]{2,})://)?` +
  // spaCy's user:password group, (?:\S+(?::\S*)?@)?, written as the same language without the nested
  // optional part: with it, a token full of ':' and no '@' made the regex backtrack quadratically.
  String.raw`(?:${S}+@)?` +
  '(?:' +
  String.raw`(?!(?:10|127)(?:\.${D}{1,3}){3})` +
  String.raw`(?!(?:169\.254|192\.168)(?:\.${D}{1,3}){2})` +
  String.raw`(?!172\.(?:1[6-9]|2${D}|3[0-1])(?:\.${D}{1,3}){2})` +
  String.raw`(?:[1-9]${D}?|1${D}${D}|2[01]${D}|22[0-3])` +
  String.raw`(?:\.(?:1?${D}{1,2}|2[0-4]${D}|25[0-5])){2}` +
  String.raw`(?:\.(?:[1-9]${D}?|1${D}${D}|2[0-4]${D}|25[0-4]))` +
  '|' +
  String.raw`(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_\-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+` +
  `(?:[${ALPHA_LOWER}]{2,63})` +
  ')' +
  String.raw`(?::${D}{2,5})?` +
  String.raw`(?:[/?#]${S}*)?` +
  '$';

/** Rules of one tokenizer: regexes and special cases, as spaCy's `Tokenizer` holds them. */
export interface SpacyRules {
  prefix: RegExp;
  suffix: RegExp;
  infix: RegExp;
  url: RegExp;
  specials: Map<string, string[]>;
}

export function englishRules(): SpacyRules {
  return {
    // compile_prefix_regex / compile_suffix_regex / compile_infix_regex
    prefix: new RegExp(PREFIXES.map((p) => `^(?:${p})`).join('|'), 'u'),
    suffix: new RegExp(SUFFIXES.map((p) => `(?:${p})$`).join('|'), 'u'),
    infix: new RegExp(INFIXES.map((p) => `(?:${p})`).join('|'), 'gu'),
    url: new RegExp(URL_PATTERN, 'u'),
    specials: englishSpecialCases(),
  };
}

/**
 * First window of findPrefix (longer than any bounded prefix plus its lookahead) and the margin
 * before its end where a match may have been cut by the window.
 */
const AFFIX_WINDOW = 24;
const AFFIX_MARGIN = 10;
/** Longest bounded suffix in UTF-16 units ('اكواب', 'US$', an astral icon), with room to spare. */
const SUFFIX_SPAN = 8;

const COMPUTED = 1;
/** Two adjacent tokens inside the chunk start a multi-token special-case pattern. */
const INTERNAL_TRIGGER = 2;
/** The last token could start such a pattern with the next chunk's first token. */
const LAST_CAN_START = 4;

/**
 * spaCy-compatible tokenizer. Tokenization of each whitespace-delimited chunk
 * is cached (as spaCy does), keyed straight from the text without slicing and
 * stored in flat typed arrays, so the cost is mostly one pass over the
 * characters. Token strings are interned: equal tokens are the same string
 * instance, with a stable id in `interner`.
 */
export interface SpacyTokenizerOptions {
  /**
   * Most tokens (and cached chunks) kept between texts; past it both are
   * cleared before the next text, so memory stays bounded in a long-running
   * service. Default DEFAULT_CACHE_LIMIT (65,536); Infinity keeps everything
   * (what a Field does over its finite corpus).
   */
  maxTokens?: number;
}

export class SpacyTokenizer {
  /** The tokens produced since the last trim, with their ids (see `tokenizeIds`). */
  readonly interner: TokenInterner;
  private readonly rules: SpacyRules;
  // Chunk cache: chunk id (in chunkKeys) -> token ids pool[offset .. offset + count).
  private chunkKeys = new TokenInterner();
  private chunkOffset = new Int32Array(1024);
  private chunkCount = new Int32Array(1024);
  private chunkFlags = new Uint8Array(1024);
  private pool = new Int32Array(4096);
  private poolSize = 0;
  private scratch = new Int32Array(4096);
  /** Multi-token matcher patterns, keyed by their first token. */
  private readonly patterns = new Map<string, Array<{ tokens: string[]; special: string }>>();
  /**
   * "first\u0000second" of every multi-token pattern whose merge changes
   * something (e.g. [":", ")"] -> ":)"). Patterns such as ["it", "'s"] for
   * "it's" rewrite tokens into themselves; they only matter when another
   * match overlaps them, and then that other match triggers the full pass.
   */
  private readonly pairs = new Set<string>();
  /** First tokens of the patterns in `pairs`. */
  private readonly firsts = new Set<string>();
  /** `pairs` as first -> seconds: looked up with interned token strings, no key string built. */
  private readonly pairsByFirst = new Map<string, Set<string>>();
  /** Length of the longest special case: a longer string is never looked up (hashing it costs its length). */
  private readonly maxSpecialLength: number;
  /** The suffix regex, sticky: tried at one position (see findSuffix). */
  private readonly suffixAt: RegExp;

  constructor(rules: SpacyRules = englishRules(), options: SpacyTokenizerOptions = {}) {
    this.rules = rules;
    const maxTokens = options.maxTokens ?? DEFAULT_CACHE_LIMIT;
    if (typeof maxTokens !== 'number' || !(maxTokens >= 1)) throw invalid('options.maxTokens', 'a number >= 1 (or Infinity)', maxTokens);
    this.interner = new TokenInterner({ limit: maxTokens });
    let longest = 0;
    for (const key of rules.specials.keys()) longest = Math.max(longest, key.length);
    this.maxSpecialLength = longest;
    this.suffixAt = new RegExp(rules.suffix.source, 'uy');
    // add_special_case: rules containing affixes or a space also go to the matcher,
    // as their affix-only tokenization.
    for (const special of [...rules.specials.keys()].sort()) {
      const needsMatcher = this.findPrefix(special) > 0 || this.findSuffix(special) > 0 ||
        this.findInfixes(special).length > 0 || special.includes(' ');
      if (!needsMatcher) continue;
      const tokens = this.tokenizeAffixes(special, false).map((t) => t.text);
      if (tokens.length < 2) continue; // one-token patterns never change a doc
      const list = this.patterns.get(tokens[0]) ?? [];
      list.push({ tokens, special });
      this.patterns.set(tokens[0], list);
      const pieces = rules.specials.get(special) as string[];
      const identity = pieces.length === tokens.length && pieces.every((p, k) => p === tokens[k]);
      if (!identity) {
        this.pairs.add(`${tokens[0]}\u0000${tokens[1]}`);
        this.firsts.add(tokens[0]);
        const seconds = this.pairsByFirst.get(tokens[0]) ?? new Set<string>();
        seconds.add(tokens[1]);
        this.pairsByFirst.set(tokens[0], seconds);
      }
    }
  }

  /** Drops the chunk cache (token ids stay valid). */
  clearCache(): void {
    this.chunkKeys = new TokenInterner();
    this.chunkFlags = new Uint8Array(1024);
    this.chunkOffset = new Int32Array(1024);
    this.chunkCount = new Int32Array(1024);
    this.pool = new Int32Array(4096);
    this.poolSize = 0;
  }

  /** Tokenizes `text` and returns the token texts, like `[t.text for t in nlp.tokenizer(text)]`. */
  tokenize(text: string): string[] {
    return this.interner.tokens(this.tokenizeIds(text));
  }

  /**
   * Same tokens as `tokenize`, as ids in `this.interner` (`interner.keys[id]` is the token). Ids stay
   * valid until the interner is trimmed (its `generation` changes; never with `maxTokens: Infinity`).
   */
  tokenizeIds(text: string): Int32Array {
    // Bounded caches: the pool holds interner ids, so both go together.
    if (this.interner.size > this.interner.limit || this.chunkKeys.size > this.interner.limit) {
      this.interner.clear();
      this.clearCache();
    }
    const n = text.length;
    if (n === 0) return new Int32Array(0);
    let out = this.scratch;
    let count = 0;
    let prevFlags = 0;
    let prevLast = -1;
    let inWs = isPySpace(text.charCodeAt(0));
    let start = 0;
    let h = HASH_SEED;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : -1;
      const ws = c === 32 || (c < 128 ? c >= 9 && (c <= 13 || (c >= 28 && c <= 31)) : isPySpace(c));
      if (i === n || ws !== inWs) {
        if (start < i) {
          const id = this.chunkKeys.internSpan(text, start, i, h);
          if (id >= this.chunkFlags.length || (this.chunkFlags[id] & COMPUTED) === 0) this.computeChunk(id);
          const f = this.chunkFlags[id];
          const off = this.chunkOffset[id];
          const cnt = this.chunkCount[id];
          const pool = this.pool;
          if ((f & INTERNAL_TRIGGER) !== 0 || ((prevFlags & LAST_CAN_START) !== 0 &&
            this.pairsByFirst.get(this.interner.keys[prevLast])?.has(this.interner.keys[pool[off]]) === true)) {
            return this.matcherPassIds(text);
          }
          if (count + cnt > out.length) {
            const grown = new Int32Array(Math.max(out.length * 2, count + cnt));
            grown.set(out.subarray(0, count));
            out = this.scratch = grown;
          }
          for (let k = 0; k < cnt; k++) out[count++] = pool[off + k];
          prevFlags = f;
          prevLast = pool[off + cnt - 1];
        }
        if (i === n) break;
        start = c === 32 ? i + 1 : i;
        h = HASH_SEED;
        if (c !== 32) h = Math.imul(h ^ c, 0x01000193);
        inWs = !inWs;
      } else {
        h = Math.imul(h ^ c, 0x01000193);
      }
    }
    return out.slice(0, count);
  }

  /** The special-case matcher pass (rare): the doc's cached chunks with trailing-space flags, then merges. */
  private matcherPassIds(text: string): Int32Array {
    const keys = this.interner.keys;
    const doc: string[] = [];
    let spaces = new Uint8Array(64);
    const n = text.length;
    let inWs = isPySpace(text.charCodeAt(0));
    let start = 0;
    let h = HASH_SEED;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : -1;
      const ws = i < n && isPySpace(c);
      if (i === n || ws !== inWs) {
        if (start < i) {
          const id = this.chunkKeys.internSpan(text, start, i, h);
          if (id >= this.chunkFlags.length || (this.chunkFlags[id] & COMPUTED) === 0) this.computeChunk(id);
          const off = this.chunkOffset[id];
          const cnt = this.chunkCount[id];
          for (let k = 0; k < cnt; k++) doc.push(keys[this.pool[off + k]]);
          if (c === 32) {
            if (spaces.length < doc.length) {
              const grown = new Uint8Array(Math.max(2 * spaces.length, doc.length));
              grown.set(spaces);
              spaces = grown;
            }
            spaces[doc.length - 1] = 1;
          }
        }
        if (i === n) break;
        start = c === 32 ? i + 1 : i;
        h = HASH_SEED;
        if (c !== 32) h = Math.imul(h ^ c, 0x01000193);
        inWs = !inWs;
      } else {
        h = Math.imul(h ^ c, 0x01000193);
      }
    }
    const toks = this.applySpecialCases(doc, spaces);
    const ids = new Int32Array(toks.length);
    for (let k = 0; k < toks.length; k++) ids[k] = this.interner.intern(toks[k]);
    return ids;
  }

  private computeChunk(id: number): void {
    if (id >= this.chunkFlags.length) {
      const size = Math.max(this.chunkFlags.length * 2, id + 1);
      const f = new Uint8Array(size);
      f.set(this.chunkFlags);
      this.chunkFlags = f;
      const o = new Int32Array(size);
      o.set(this.chunkOffset);
      this.chunkOffset = o;
      const c = new Int32Array(size);
      c.set(this.chunkCount);
      this.chunkCount = c;
    }
    const tokens = this.tokenizeChunk(this.chunkKeys.keys[id], true);
    if (this.poolSize + tokens.length > this.pool.length) {
      const p = new Int32Array(Math.max(this.pool.length * 2, this.poolSize + tokens.length));
      p.set(this.pool.subarray(0, this.poolSize));
      this.pool = p;
    }
    this.chunkOffset[id] = this.poolSize;
    this.chunkCount[id] = tokens.length;
    for (const t of tokens) this.pool[this.poolSize++] = this.interner.intern(t);
    let flags = COMPUTED;
    for (let k = 0; k + 1 < tokens.length; k++) {
      if (this.pairs.has(`${tokens[k]}\u0000${tokens[k + 1]}`)) {
        flags |= INTERNAL_TRIGGER;
        break;
      }
    }
    if (this.firsts.has(tokens[tokens.length - 1])) flags |= LAST_CAN_START;
    this.chunkFlags[id] = flags;
  }

  /** `Tokenizer._tokenize_affixes`: tokens with their trailing-space flag. */
  private tokenizeAffixes(text: string, withSpecialCases: boolean): Array<{ text: string; space: boolean }> {
    const out: Array<{ text: string; space: boolean }> = [];
    const n = text.length;
    if (n === 0) return out;
    let inWs = isPySpace(text.charCodeAt(0));
    let start = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (isPySpace(c) !== inWs) {
        if (start < i) {
          for (const t of this.tokenizeChunk(text.slice(start, i), withSpecialCases)) out.push({ text: t, space: false });
        }
        if (c === 32) {
          out[out.length - 1].space = true;
          start = i + 1;
        } else {
          start = i;
        }
        inWs = !inWs;
      }
    }
    if (start < n) {
      for (const t of this.tokenizeChunk(text.slice(start), withSpecialCases)) out.push({ text: t, space: false });
    }
    return out;
  }

  /** `_split_affixes` + `_attach_tokens` for one whitespace-free (or all-whitespace) chunk. */
  private tokenizeChunk(chunk: string, withSpecialCases: boolean): string[] {
    const specials = this.rules.specials;
    const special = (x: string) => withSpecialCases && x.length <= this.maxSpecialLength && specials.has(x);
    if (withSpecialCases && chunk.length <= this.maxSpecialLength) {
      const hit = specials.get(chunk);
      if (hit !== undefined) return hit;
    }
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    let s = chunk;
    let lastSize = -1;
    // No prefix at the start (suffix at the end) of s, found on an earlier turn that only cut the
    // other end: on a long run of prefixes alone the suffix search is not repeated (it is the costly one).
    let noPrefix = false;
    let noSuffix = false;
    while (s.length > 0 && s.length !== lastSize) {
      if (special(s)) break;
      lastSize = s.length;
      const preLen: number = noPrefix && s.length > AFFIX_WINDOW ? 0 : this.findPrefix(s);
      noPrefix = preLen === 0;
      let prefix = '';
      let minusPre = '';
      if (preLen !== 0) {
        prefix = s.slice(0, preLen);
        minusPre = s.slice(preLen);
        if (minusPre && special(minusPre)) {
          s = minusPre;
          prefixes.push(prefix);
          break;
        }
      }
      const sufLen: number = noSuffix && s.length - preLen > 2 * SUFFIX_SPAN ? 0 : this.findSuffix(s.slice(preLen));
      noSuffix = sufLen === 0;
      let suffix = '';
      let minusSuf = '';
      if (sufLen !== 0) {
        suffix = s.slice(s.length - sufLen);
        minusSuf = s.slice(0, s.length - sufLen);
        if (minusSuf && special(minusSuf)) {
          s = minusSuf;
          suffixes.push(suffix);
          break;
        }
      }
      if (preLen && sufLen && preLen + sufLen <= s.length) {
        s = s.slice(preLen, s.length - sufLen);
        prefixes.push(prefix);
        suffixes.push(suffix);
      } else if (preLen) {
        s = minusPre;
        prefixes.push(prefix);
      } else if (sufLen) {
        s = minusSuf;
        suffixes.push(suffix);
      }
    }
    const out = prefixes;
    if (s.length > 0) {
      const hit = special(s) ? specials.get(s) : undefined;
      if (hit !== undefined) {
        for (const t of hit) out.push(t);
      } else if (this.rules.url.test(s)) {
        out.push(s);
      } else {
        const matches = this.findInfixes(s);
        if (matches.length === 0) {
          out.push(s);
        } else {
          let start = 0;
          for (const [infixStart, infixEnd] of matches) {
            if (infixStart === 0) continue;
            if (infixStart !== start) out.push(s.slice(start, infixStart));
            if (infixStart !== infixEnd) out.push(s.slice(infixStart, infixEnd));
            start = infixEnd;
          }
          if (start < s.length) out.push(s.slice(start));
        }
      }
    }
    for (let k = suffixes.length - 1; k >= 0; k--) out.push(suffixes[k]);
    return out;
  }

  /**
   * Length of the prefix at the start of `s` (0: none). The regex runs on a
   * window of the first characters, doubled while the match reaches near the
   * window's end (only the ellipsis `\.\.+` is unbounded; the other prefixes
   * and the lookahead are a few characters): each peeled prefix costs its own
   * length, not the rest of the chunk, so a run of prefixes is linear.
   */
  private findPrefix(s: string): number {
    const re = this.rules.prefix;
    for (let w = AFFIX_WINDOW; ; w *= 2) {
      if (w >= s.length) {
        const m = re.exec(s);
        return m === null ? 0 : m[0].length;
      }
      const m = re.exec(s.slice(0, w));
      if (m === null) return 0;
      if (m[0].length < w - AFFIX_MARGIN) return m[0].length;
    }
  }

  /**
   * Length of the suffix at the end of `s` (0: none). A regex ending in `$`
   * is tried by the engine at every position of `s`, which made peeling a run
   * of suffixes quadratic. The suffix regex is instead tried (sticky) at the
   * last SUFFIX_SPAN positions only, leftmost first, with the whole string as
   * lookbehind context: the bounded suffixes are shorter than that, and the
   * only unbounded one (the ellipsis, `\.\.+`) that matches further left
   * also matches at the first of those positions. A match there falls back to
   * the plain regex on a tail window, doubled until the match starts inside it.
   */
  private findSuffix(s: string): number {
    const n = s.length;
    if (n > SUFFIX_SPAN) {
      const sticky = this.suffixAt;
      const from = n - SUFFIX_SPAN;
      let p = from;
      for (; p < n; p++) {
        sticky.lastIndex = p;
        const m = sticky.exec(s);
        if (m === null) continue;
        if (p > from) return m[0].length;
        break; // at the first position: it may reach further left (a run of dots)
      }
      if (p === n) return 0;
    }
    const re = this.rules.suffix;
    for (let w = 4 * SUFFIX_SPAN; ; w *= 2) {
      if (w >= n) {
        const m = re.exec(s);
        return m === null ? 0 : m[0].length;
      }
      // In the window, lookbehinds lack context only at the first few positions, where no bounded
      // suffix starts; a match there is a run of dots that may go on: widen the window.
      const m = re.exec(s.slice(n - w));
      if (m === null) return 0;
      if (m.index >= SUFFIX_SPAN) return m[0].length;
    }
  }

  private findInfixes(s: string): Array<[number, number]> {
    const re = this.rules.infix;
    re.lastIndex = 0;
    const out: Array<[number, number]> = [];
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      out.push([m.index, m.index + m[0].length]);
      if (m[0].length === 0) re.lastIndex++;
    }
    return out;
  }

  /**
   * `_apply_special_cases`: find pattern matches, keep longest-leftmost, merge those without inner
   * spaces. `spaces[i]` is 1 when token i is followed by a space (may be shorter than `doc`: 0).
   * Typed arrays instead of an object per token: a text can have a million tokens.
   */
  private applySpecialCases(doc: readonly string[], spaces: Uint8Array): string[] {
    const matches: Array<{ start: number; end: number; special: string }> = [];
    for (let i = 0; i < doc.length; i++) {
      const candidates = this.patterns.get(doc[i]);
      if (candidates === undefined) continue;
      for (const p of candidates) {
        if (i + p.tokens.length > doc.length) continue;
        let ok = true;
        for (let k = 1; k < p.tokens.length; k++) {
          if (doc[i + k] !== p.tokens[k]) {
            ok = false;
            break;
          }
        }
        if (ok) matches.push({ start: i, end: i + p.tokens.length, special: p.special });
      }
    }
    // _filter_special_spans: longest first, then leftmost; every visited span marks its tokens.
    matches.sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
    const seen = new Uint8Array(doc.length);
    const kept = new Map<number, { end: number; special: string }>();
    for (const m of matches) {
      if (seen[m.start] === 0 && seen[m.end - 1] === 0) kept.set(m.start, m);
      seen.fill(1, m.start, m.end);
    }
    const out: string[] = [];
    for (let i = 0; i < doc.length;) {
      const m = kept.size === 0 ? undefined : kept.get(i);
      if (m === undefined) {
        out.push(doc[i]);
        i++;
        continue;
      }
      let spaced = false;
      for (let k = i; k < m.end - 1; k++) if (k < spaces.length && spaces[k] === 1) spaced = true;
      const pieces = spaced ? undefined : this.rules.specials.get(m.special);
      if (pieces === undefined) {
        for (let k = i; k < m.end; k++) out.push(doc[k]);
      } else {
        for (const p of pieces) out.push(p);
      }
      i = m.end;
    }
    return out;
  }
}
