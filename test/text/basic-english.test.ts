// basic_english must equal torchtext's _basic_english_normalize. The reference is
// Debian's python3-torchtext (its pure-Python utils.py, loaded by path by
// basic-english-reference.py beside this file). Without /usr/bin/python3 and that file this
// test fails: install python3-torch and python3-torchtext.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Field, RandomGenerator, getTokenizer, spacyTokenizer } from '../../lib/data';
import { basicEnglishIds, basicEnglishIdsFromBytes, basicEnglishTokenize, basicEnglishTokenizeBytes } from '../../lib/text/basic-english';
import { TokenInterner } from '../../lib/text/interner';
import { decodeUtf8, firstLineEnd } from '../../lib/text/utf8';

const PYTHON = '/usr/bin/python3';
const UTILS = '/usr/lib/python3/dist-packages/torchtext/data/utils.py';
const SCRIPT = path.join(__dirname, 'basic-english-reference.py');

function reference(texts: string[]): string[][] {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install python3 (and python3-torchtext)`);
  if (!fs.existsSync(UTILS)) throw new Error(`${UTILS} is missing: apt-get install python3-torchtext`);
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`reference script failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as string[][];
}

const HAND = [
  'You can now install TorchText using pip!',
  'This movie was great.<br /><br />The acting was superb (really).',
  'I didn\'t "love" it; I: liked it... a LOT?!',
  "It's the 80's, isn't it? Rock 'n' roll.",
  '<BR />upper tag<br/>no space<br  />two spaces',
  '"<br "/>quote-built tag',
  'tabs\tand\nnewlines\r\nand\u00a0nbsp\u2003em\u3000ideo\u001ffs \u0085nel \ufeffbom',
  'İstanbul ΣΑΣ ÀÉÎ straße ǅ',
  'emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢!',
  '',
  '   ',
  'a.b,c(d)e!f?g;h:i\'j"k',
  '...,,,(((!!!???',
];

function randomTexts(n: number, seed: number): string[] {
  const alphabet = [..."abcXYZ .,;:!?()'\"<>/br-\t\n\u00a0\u2009Σσİé😀", '<br />', '<br />', ' ', ' ', 'the', 'Movie'];
  const rng = new RandomGenerator(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = rng.below(40);
    for (let k = 0; k < len; k++) s += alphabet[rng.below(alphabet.length)];
    out.push(s);
  }
  return out;
}

describe('basic_english equals torchtext', () => {
  const texts = [...HAND, ...randomTexts(400, 7)];
  const expected = reference(texts);

  test('hand-written and random texts give the same tokens as torchtext', () => {
    const mismatches = texts
      .map((text, i) => ({ text, got: basicEnglishTokenize(text), want: expected[i] }))
      .filter((m) => JSON.stringify(m.got) !== JSON.stringify(m.want));
    expect(mismatches).toEqual([]);
  });

  test('the id path (basicEnglishIds) gives the same tokens', () => {
    const interner = new TokenInterner();
    texts.forEach((text, i) => {
      const ids = basicEnglishIds(text, interner);
      expect(Array.from(ids, (id) => interner.keys[id])).toEqual(expected[i]);
    });
  });

  test("torchtext's docstring example", () => {
    expect(getTokenizer('basic_english')('You can now install TorchText using pip!'))
      .toEqual(['you', 'can', 'now', 'install', 'torchtext', 'using', 'pip', '!']);
  });
});

// The byte path (basicEnglishIdsFromBytes, Field.preprocessBytes)
// reads UTF-8 without decoding ASCII tokens and decodes non-ASCII tokens one by one.
const BYTE_HAND = [
  ...HAND,
  'café "naïve" résumé"s CAFÉ',
  'é"a"ü "é" ""é""',
  'ΟΔΟΣ ΟΔΟΣ. ΑΣ\'Α ΑΣ:Α ΣΑΣ, σ ς Σ', // sigma: lower case depends on the neighbours
  'a\u2028b\u2029c\u205fd\u1680e\u3000f\u0085g\u00a0h\u2000i\u200aj\u202fk\u200bl\u180em',
  'Kelvin \u212a Å İİ ǅǄ ﬁ ß',
  '<br />é<BR />ü<br "/>ö<br />',
  '<é <b <br <br / <br /',
  'x'.repeat(3000) + ' é' + 'y'.repeat(300),
  '€100 — “quoted” ‘single’ … 😀😀',
];

function randomRich(n: number, seed: number): string[] {
  const alphabet = [..."aZ .,;:!?()'\"<>/-\t\n\u0085\u00a0\u1680\u2000\u2028\u202f\u205f\u3000\u200bΣσςİKéÉ😀\ufeff", '<br />', '<BR />', 'Σ.', 'é"'];
  const rng = new RandomGenerator(seed);
  return Array.from({ length: n }, () => {
    let s = '';
    const len = rng.below(30);
    for (let k = 0; k < len; k++) s += alphabet[rng.below(alphabet.length)];
    return s;
  });
}

describe('basic_english from UTF-8 bytes equals torchtext', () => {
  const texts = [...BYTE_HAND, ...randomRich(600, 11), ...randomTexts(200, 3)];
  const expected = reference(texts);

  test('basicEnglishIdsFromBytes and basicEnglishTokenizeBytes', () => {
    const interner = new TokenInterner();
    const bad = texts.map((text, i) => {
      const bytes = Buffer.from(text, 'utf8');
      const viaIds = Array.from(basicEnglishIdsFromBytes(bytes, interner), (id) => interner.keys[id]);
      return { text, viaIds, viaTokens: basicEnglishTokenizeBytes(bytes), want: expected[i] };
    }).filter((m) => JSON.stringify(m.viaIds) !== JSON.stringify(m.want) || JSON.stringify(m.viaTokens) !== JSON.stringify(m.want));
    expect(bad).toEqual([]);
  });

  test('a range of a larger buffer, a plain Uint8Array, and ids shared with the string path', () => {
    const interner = new TokenInterner();
    const stringIds = Array.from(basicEnglishIds('The movie. Café!', interner));
    const buf = Buffer.from('xxThe movie. Café!yy', 'utf8');
    expect(Array.from(basicEnglishIdsFromBytes(buf, interner, 2, buf.length - 2))).toEqual(stringIds);
    const plain = new Uint8Array(Buffer.from('The movie. Café!'));
    expect(Array.from(basicEnglishIdsFromBytes(plain, interner))).toEqual(stringIds);
    expect(() => basicEnglishIdsFromBytes(buf, interner, 5, 2)).toThrow(RangeError);
    expect(() => basicEnglishIdsFromBytes('text' as unknown as Uint8Array, interner)).toThrow(TypeError);
  });

  test('invalid UTF-8 gives what decoding it (U+FFFD) and tokenizing the string gives', () => {
    const rng = new RandomGenerator(5);
    const pieces = [[0xe2, 0x80], [0xc3], [0xa9], [0xff], [0xf0, 0x9f, 0x98], [0x22], [0x20], [0x41], [0xc2, 0xa0], [0xe2, 0x80, 0xa8],
      [0x2e], [0x3c, 0x62, 0x72, 0x20, 0x2f, 0x3e], [0xce, 0xa3], [0xed, 0xa0, 0x80]];
    const interner = new TokenInterner();
    for (let n = 0; n < 2000; n++) {
      const bytes: number[] = [];
      for (let k = rng.below(12); k > 0; k--) bytes.push(...pieces[rng.below(pieces.length)]);
      const buf = Buffer.from(bytes);
      const want = basicEnglishTokenize(buf.toString('utf8'));
      expect([n, Array.from(basicEnglishIdsFromBytes(buf, interner), (id) => interner.keys[id])]).toEqual([n, want]);
    }
  });

  test('Field.preprocessBytes gives what preprocess gives (interned fields: bytes and strings)', () => {
    const basic = new Field({ tokenize: 'basic_english' });
    const spacy = new Field({ tokenize: 'spacy' });
    const noNewline = (t: string) => t.replace(/\n+$/, ''); // preprocess strips trailing '\n' (rstrip)
    expect(texts.map((t) => basic.preprocessBytes(Buffer.from(t, 'utf8')))).toEqual(expected);
    expect(texts.map((t) => basic.preprocess(t))).toEqual(expected);
    expect(texts.map((t) => spacy.preprocessBytes(Buffer.from(t, 'utf8')))).toEqual(texts.map((t) => spacyTokenizer().tokenize(noNewline(t))));
    for (const opts of [{ tokenize: 'basic_english' }, { tokenize: 'basic_english', lower: true }, { tokenize: 'spacy' }, {}] as const) {
      const field = new Field(opts);
      for (const t of texts.slice(0, 50)) expect(field.preprocessBytes(Buffer.from(t, 'utf8'))).toEqual(field.preprocess(t));
    }
  });

  test('non-bytes and ranges outside the bytes give named errors', () => {
    const notBytes = /Expected a Uint8Array or Buffer for bytes but received (null|number 5|string "abc")/;
    const interner = new TokenInterner();
    for (const bad of [null, 5, 'abc']) {
      expect(() => basicEnglishTokenizeBytes(bad as never)).toThrow(notBytes);
      expect(() => basicEnglishIdsFromBytes(bad as never, interner)).toThrow(notBytes);
      expect(() => firstLineEnd(bad as never)).toThrow(notBytes);
      expect(() => decodeUtf8(bad as never)).toThrow(notBytes);
      expect(() => new Field({ tokenize: 'basic_english' }).preprocessBytes(bad as never)).toThrow(notBytes);
    }
    const two = Buffer.from('ab');
    expect(() => basicEnglishTokenizeBytes(two, 1, 5)).toThrow(/\[start, end\) = \[1, 5\) is not within the 2 bytes/);
    expect(() => basicEnglishIdsFromBytes(two, interner, 2, 1)).toThrow(/\[start, end\) = \[2, 1\) is not within the 2 bytes/);
    expect(basicEnglishTokenizeBytes(Buffer.from('Hello, World.\nx'), 0, 13)).toEqual(['hello', ',', 'world', '.']);
  });
});
