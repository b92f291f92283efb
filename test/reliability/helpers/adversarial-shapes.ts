// Adversarial input shapes for the tokenizers (issue 12), shared by the reliability test and
// bench/tokenizer-shapes.ts.

/** Repeats `unit` to `n` UTF-16 units (whole units only). */
const fill = (unit: string, n: number) => unit.repeat(Math.max(1, Math.floor(n / unit.length)));

export const SHAPES: Record<string, (n: number) => string> = {
  'punctuation run': (n) => fill('!?.,;:()', n),
  'one token': (n) => fill('a', n),
  'dots': (n) => fill('.', n),
  'URL-like': (n) => 'http://example.com/' + fill('a/b?c=d&', n - 19),
  'user@host runs': (n) => fill('a@b.c:', n),
  'colons': (n) => fill('a:', n),
  'emoji run': (n) => fill('😀🎬', n),
  'alternating scripts': (n) => fill('aб字ا', n),
  'prefix run': (n) => fill('([“¿$', n) + 'x',
  'suffix run': (n) => 'x' + fill(')]”!%', n),
  'infix run': (n) => fill('a-b,c.D', n),
  'quotes': (n) => fill('"\'', n),
  'digits and units': (n) => fill('1km2US$3+', n),
  'upper-case dots': (n) => fill('AB.', n),
  'whitespace run': (n) => fill(' \t\n\u00a0', n),
  'emoticons': (n) => fill(':):(', n),
};
