// Corpus (interned ids, typed arrays) gives the same counts, vocabulary and ids
// as the string path.
import { Corpus, Counter, TokenInterner, Vocab, basicEnglishTokenize, spacyTokenizer } from '../../lib/data';

const TEXTS = [
  "It's a good movie.<br /><br />I'd watch it again!",
  'Bad. Really, really bad... 2/10',
  '"Quoted" text (with parens) and e-mails: me@example.com',
  '',
  'good good GOOD',
];

describe('Corpus', () => {
  test.each(['spacy', 'basic_english'] as const)('%s: tokens, counts and ids match the string path', (name) => {
    const tokenize = name === 'spacy' ? (s: string) => spacyTokenizer().tokenize(s) : basicEnglishTokenize;
    const corpus = Corpus.fromTexts(TEXTS, name);
    const strings = TEXTS.map(tokenize);
    expect(TEXTS.map((_, i) => corpus.tokensOf(i))).toEqual(strings);
    const c1 = corpus.counter([0, 1, 4]);
    const c2 = new Counter();
    [0, 1, 4].forEach((i) => c2.update(strings[i]));
    expect([...c1]).toEqual([...c2]);
    const vocab = new Vocab(c1, { maxSize: 5 });
    const expected = strings.flatMap((t) => Array.from(vocab.lookupIndices(t)));
    expect(Array.from(corpus.numericalize(vocab))).toEqual(expected);
    expect(corpus.length).toBe(TEXTS.length);
  });
});

describe('TokenInterner', () => {
  test('dense stable ids, lookups by span, growth past the first table', () => {
    const it = new TokenInterner();
    const ids = Array.from({ length: 5000 }, (_, i) => it.intern(`tok${i}`));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(it.intern('tok42')).toBe(42);
    expect(it.find('tok4999')).toBe(4999);
    expect(it.find('nope')).toBe(-1);
    expect(it.size).toBe(5000);
  });
});
