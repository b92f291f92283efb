// basic_english must equal torchtext's _basic_english_normalize. The reference is
// Debian's python3-torchtext (its pure-Python utils.py, loaded by path by
// scripts/basic-english-reference.py). Without /usr/bin/python3 and that file this
// test fails: install python3-torch and python3-torchtext.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RandomGenerator, TokenInterner, basicEnglishIds, basicEnglishTokenize, getTokenizer } from '../../lib/data';

const PYTHON = '/usr/bin/python3';
const UTILS = '/usr/lib/python3/dist-packages/torchtext/data/utils.py';
const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'basic-english-reference.py');

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
