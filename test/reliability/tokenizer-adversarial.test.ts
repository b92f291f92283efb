// Tokenizers on hostile inputs: every shape of 1 MB must tokenize in time linear in its length
// (issue 12: the spaCy-compatible tokenizer took 50 s on a 64,000-character punctuation run).
// Each shape is timed at 1/8 of its size and at full size: linear time grows about 8x, quadratic
// 64x. The bound allows for a busy host (the ratio, and an absolute cap far below the quadratic
// time); the figures are printed.
import { basicEnglishTokenize } from '../../lib/text/basic-english';
import { SpacyTokenizer } from '../../lib/text/spacy/tokenizer';
import { SHAPES } from './helpers/adversarial-shapes';

const MB = 1 << 20;

function time(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

describe('tokenizers are linear on adversarial inputs (1 MB)', () => {
  const spacy = new SpacyTokenizer();
  const tokenizers: Record<string, (s: string) => string[]> = {
    spacy: (s) => spacy.tokenize(s),
    basic_english: basicEnglishTokenize,
  };
  const rows: string[] = [];
  afterAll(() => {
    console.log(`tokenizer timings (1/8 MB -> 1 MB, ms):\n${rows.join('\n')}`);
  });

  for (const [shape, make] of Object.entries(SHAPES)) {
    test.each(Object.keys(tokenizers))(`${shape}: %s`, (name) => {
      const tokenize = tokenizers[name];
      const small = make(MB / 8);
      const big = make(MB);
      spacy.clearCache(); // the chunk cache would hide the work
      const tSmall = Math.min(time(() => tokenize(small)), time(() => tokenize(small + ' ')));
      spacy.clearCache();
      const tBig = time(() => tokenize(big));
      rows.push(`${`${shape} / ${name}`.padEnd(36)} ${tSmall.toFixed(0).padStart(6)} -> ${tBig.toFixed(0).padStart(6)}`);
      // Quadratic time would be 64x the small input's (the old code: hours on 1 MB); linear is ~8x.
      // Generous bounds: the whole suite runs in parallel workers on a small host.
      expect(tBig).toBeLessThan(40 * tSmall + 1000);
      expect(tBig).toBeLessThan(60000);
    });
  }

  test('outputs on the shapes are unchanged by the windowed affix search (small inputs, full regexes)', () => {
    // Reference: the same rules applied with the plain regexes, as before (findPrefix/findSuffix by exec).
    const plain = new SpacyTokenizer();
    const p = plain as unknown as { findPrefix(s: string): number; findSuffix(s: string): number; rules: { prefix: RegExp; suffix: RegExp } };
    p.findPrefix = (s) => p.rules.prefix.exec(s)?.[0].length ?? 0;
    p.findSuffix = (s) => p.rules.suffix.exec(s)?.[0].length ?? 0;
    let compared = 0;
    for (const make of Object.values(SHAPES)) {
      for (const n of [1, 2, 3, 7, 8, 9, 10, 17, 31, 64, 200, 1000]) {
        const text = make(n);
        expect(spacy.tokenize(text)).toEqual(plain.tokenize(text));
        compared++;
      }
    }
    // Mixed affix tails around the window edges: dots runs of every length before suffixes.
    for (let dots = 0; dots < 40; dots++) {
      for (const tail of ['', '!', '."', "'s", 'km', '5km', 'US$', '°F.', 'AB.', '😀', '……', ')...']) {
        const text = `word${'.'.repeat(dots)}${tail} 12${'.'.repeat(dots)}${tail}`;
        expect(spacy.tokenize(text)).toEqual(plain.tokenize(text));
        compared++;
      }
    }
    console.log(`windowed vs plain affix search: ${compared} texts compared, all equal`);
  });
});

describe('affix lookup by character agrees with the affix regexes', () => {
  test('every BMP code point and the astral symbol planes, in several contexts', () => {
    const tok = new SpacyTokenizer();
    const t = tok as unknown as { findPrefix(s: string): number; findSuffix(s: string): number; rules: { prefix: RegExp; suffix: RegExp } };
    const before = ['', '1', 'a', 'A', 'AB', '°F', '..', 'x.', '1U', '%', '-'];
    const after = ['', '1', 'a', '.', '+', '$'];
    const codePoints: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) codePoints.push(cp);
    for (let cp = 0x1d000; cp <= 0x1faff; cp++) codePoints.push(cp);
    let mismatches = 0;
    let checked = 0;
    for (const cp of codePoints) {
      const ch = String.fromCodePoint(cp);
      for (const a of after) {
        const s = ch + a;
        if (t.findPrefix(s) !== (t.rules.prefix.exec(s)?.[0].length ?? 0)) mismatches++;
        checked++;
      }
      for (const b of before) {
        const s = b + ch;
        if (t.findSuffix(s) !== (t.rules.suffix.exec(s)?.[0].length ?? 0)) mismatches++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1e6);
    expect(mismatches).toBe(0);
  });
});
