// The FastText tutorial's generate_bigrams as a Field preprocessing hook (torchtext's Field(preprocessing=)).
import { Field, generateBigrams } from '../../lib/data';

describe('generateBigrams', () => {
  test('appends each distinct bigram once, after the tokens', () => {
    expect(generateBigrams(['This', 'film', 'is', 'terrible'])).toEqual(['This', 'film', 'is', 'terrible', 'This film', 'film is', 'is terrible']);
    expect(generateBigrams(['a', 'b', 'a', 'b'])).toEqual(['a', 'b', 'a', 'b', 'a b', 'b a']);
    expect(generateBigrams(['one'])).toEqual(['one']);
    expect(generateBigrams([])).toEqual([]);
    expect(() => generateBigrams('a b' as unknown as string[])).toThrow(/array of tokens/);
  });
});

describe('Field preprocessing', () => {
  test('runs after tokenizing and lower-casing, on every path', () => {
    const TEXT = new Field({ tokenize: 'basic_english', preprocessing: generateBigrams });
    expect(TEXT.preprocess('Great film!')).toEqual(['great', 'film', '!', 'great film', 'film !']);
    expect(TEXT.preprocessBytes(Buffer.from('Great film!'))).toEqual(['great', 'film', '!', 'great film', 'film !']);
    const lower = new Field({ tokenize: 'whitespace', lower: true, preprocessing: generateBigrams });
    expect(lower.preprocess('A B')).toEqual(['a', 'b', 'a b']);
    expect(new Field({ tokenize: 'whitespace' }).preprocess('A B')).toEqual(['A', 'B']);
  });

  test('bigrams reach the vocabulary and the batches', () => {
    const TEXT = new Field({ tokenize: 'basic_english', preprocessing: generateBigrams });
    const examples = [{ text: TEXT.preprocess('not good') }, { text: TEXT.preprocess('not bad') }];
    TEXT.buildVocab({ fields: { text: TEXT }, examples });
    expect(TEXT.vocab?.stoi.has('not good')).toBe(true);
    const { ids, shape } = TEXT.padIds([examples[0].text as string[]]);
    expect(shape).toEqual([3, 1]);
    expect(Array.from(ids)).toEqual(['not', 'good', 'not good'].map((t) => TEXT.vocab?.stoi.get(t)));
  });

  test('non-sequential fields and bad hooks', () => {
    const LABEL = new Field({ sequential: false, preprocessing: (v: string) => v.toUpperCase() });
    expect(LABEL.preprocess('pos')).toBe('POS');
    expect(() => new Field({ preprocessing: 'bigrams' as unknown as null })).toThrow(/options.preprocessing/);
    const bad = new Field({ preprocessing: (() => 'x') as unknown as (t: string[]) => string[] });
    expect(() => bad.preprocess('a b')).toThrow(/array of tokens for preprocessing\(x\) but received string/);
  });
});
