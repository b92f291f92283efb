// Bounded tokenizer caches (issue 12): the shared tokenizers start afresh past their limit, with the
// same tokens; a Field's own tables grow with its corpus and stop growing once its vocabulary is built.
import { Dataset, Field, getTokenizer, setTokenizerCacheLimit, spacyTokenizer } from '../../lib/data';
import { basicEnglishInterner } from '../../lib/text/basic-english';
import { TokenInterner } from '../../lib/text/interner';

const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `w${from + i}x`).join(' ');

afterAll(() => setTokenizerCacheLimit(65536));

test('TokenInterner.trim clears past the limit and bumps the generation', () => {
  const t = new TokenInterner({ limit: 3 });
  ['a', 'b', 'c'].forEach((w) => t.intern(w));
  expect(t.trim()).toBe(false);
  t.intern('d');
  expect(t.trim()).toBe(true);
  expect([t.size, t.generation, t.find('a')]).toEqual([0, 1, -1]);
  expect(t.intern('z')).toBe(0);
});

test.each(['basic_english', 'spacy'] as const)('%s: the shared interner stays under the limit, tokens unchanged', (name) => {
  setTokenizerCacheLimit(1000);
  const tokenize = getTokenizer(name);
  const interner = () => (name === 'spacy' ? spacyTokenizer().interner : basicEnglishInterner);
  let max = 0;
  for (let k = 0; k < 30; k++) {
    const text = words(200, k * 200);
    expect(tokenize(text)).toEqual(text.split(' '));
    max = Math.max(max, interner().size);
  }
  expect(max).toBeLessThanOrEqual(1000 + 200); // the limit plus one text
  expect(tokenize("It's great!")).toEqual(name === 'spacy' ? ['It', "'s", 'great', '!'] : ['it', "'", 's', 'great', '!']);
  setTokenizerCacheLimit(65536);
  expect(() => setTokenizerCacheLimit(0)).toThrow(/maxTokens/);
});

test.each(['basic_english', 'spacy'] as const)('%s Field: grows while reading data, bounded after buildVocab, same ids', (name) => {
  setTokenizerCacheLimit(500); // the shared one must not matter to the Field
  const field = new Field({ tokenize: name });
  const examples = Array.from({ length: 20 }, (_, k) => ({ text: field.preprocess(words(100, k * 100)) as string[] }));
  const own = (field as unknown as { tokenIds: { tokenizer: { interner: TokenInterner } } }).tokenIds.tokenizer.interner;
  expect(own.size).toBeGreaterThanOrEqual(2000); // not trimmed while reading
  const vocab = field.buildVocab(new Dataset(examples, { text: field }));
  expect(vocab.length).toBe(2002);
  const sizeAfter = own.size;
  for (let k = 0; k < 100; k++) {
    const fresh = field.preprocess(words(1000, 100000 + k * 1000)) as string[];
    expect(fresh.length).toBe(1000);
  }
  expect(own.size).toBeLessThanOrEqual(sizeAfter + 65536 + 1000);
  expect(Array.from(field.numericalizeTokens(field.preprocess('w5x w999999x') as string[]))).toEqual([vocab.stoi.get('w5x'), 0]);
  expect(Array.from(field.padIds([examples[3].text]).ids.subarray(0, 2))).toEqual([vocab.stoi.get('w300x'), vocab.stoi.get('w301x')]);
  setTokenizerCacheLimit(65536);
});
