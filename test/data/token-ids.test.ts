// TokenIds: a Field with an interned tokenizer ('spacy', 'basic_english') counts and numericalizes over token
// ids; the results must be those of the string path (Counter.update, Vocab.lookupIndices).
import { Counter, Dataset, Field, LabelField, Vocab, basicEnglishTokenize, spacyTokenizer } from '../../lib/data';

const TEXTS = [
  "It's a good movie.<br /><br />I'd watch it again!",
  'Bad. Really, really bad... 2/10',
  '"Quoted" text (with parens) and e-mails: me@example.com',
  '',
  'good good GOOD',
];

const stringTokenizers = {
  spacy: (s: string) => spacyTokenizer().tokenize(s),
  basic_english: basicEnglishTokenize,
};

describe('Field over interned token ids', () => {
  test.each(['spacy', 'basic_english'] as const)('%s: tokens, counts, vocabulary and ids match the string path', (name) => {
    const field = new Field({ tokenize: name });
    const strings = TEXTS.map(stringTokenizers[name]);
    const examples = TEXTS.map((t, i) => ({ text: i % 2 ? field.preprocessBytes(Buffer.from(t)) : field.preprocess(t) }));
    expect(examples.map((e) => e.text)).toEqual(strings);
    const ds = new Dataset(examples.filter((_, i) => i !== 2), { text: field });
    const vocab = field.buildVocab(ds, { maxSize: 5 });
    const counter = new Counter();
    strings.filter((_, i) => i !== 2).forEach((t) => counter.update(t));
    expect([...vocab.freqs]).toEqual([...counter]);
    const expected = new Vocab(counter, { maxSize: 5, specials: ['<unk>', '<pad>'] });
    expect(vocab.itos).toEqual(expected.itos);
    examples.forEach((e, i) => {
      expect(Array.from(field.numericalizeTokens(e.text as string[]))).toEqual(Array.from(expected.lookupIndices(strings[i])));
    });
    // A token the interner meets after the vocabulary was built is <unk> too.
    const later = field.preprocess('zebra-crossing xylophone good') as string[];
    expect(Array.from(field.numericalizeTokens(later))).toEqual(Array.from(expected.lookupIndices(later)));
    const padded = field.padIds(examples.map((e) => e.text as string[]));
    const [rows, cols] = padded.shape;
    const byString = field.padIds(strings.map((t) => [...t])); // copies: the string path
    expect([rows, cols]).toEqual(byString.shape);
    expect(Array.from(padded.ids)).toEqual(Array.from(byString.ids));
  });

  test.each([{}, { eosToken: '<eos>' }, { fixLength: 4 }, { fixLength: 5, truncateFirst: true, eosToken: '<eos>' },
    { batchFirst: true }, { padFirst: true }, { initToken: '<sos>', includeLengths: true }])('padIds %j: ids and lengths of the string path', (opts) => {
    const field = new Field({ tokenize: 'basic_english', ...opts });
    const made = TEXTS.map((t) => field.preprocess(t) as string[]);
    field.buildVocab(new Dataset(made.slice(0, 3).map((text) => ({ text })), { text: field }), { maxSize: 6 });
    const viaIds = field.padIds(made);
    const viaStrings = field.padIds(made.map((t) => [...t]));
    expect(viaIds.shape).toEqual(viaStrings.shape);
    expect(Array.from(viaIds.ids)).toEqual(Array.from(viaStrings.ids));
    expect(Array.from(viaIds.lengths)).toEqual(Array.from(viaStrings.lengths));
  });

  test('arrays the field did not make, changed arrays, lower-casing and mixed datasets use the strings', () => {
    const field = new Field({ tokenize: 'basic_english' });
    const made = field.preprocess('the movie was good') as string[];
    const foreign = ['the', 'film', 'was', 'bad', 'bad'];
    const vocab = field.buildVocab(new Dataset([{ text: made }, { text: foreign }], { text: field }));
    expect(vocab.freqs.get('bad')).toBe(2);
    expect(vocab.freqs.get('the')).toBe(2);
    made.push('extra'); // no longer the array the ids describe
    expect(Array.from(field.numericalizeTokens(made))).toEqual(Array.from(vocab.lookupIndices(made)));
    const lower = new Field({ tokenize: 'spacy', lower: true });
    expect(lower.preprocess('The MOVIE')).toEqual(['the', 'movie']);
  });

  test('a vocabulary without <unk> still refuses unknown tokens by name', () => {
    const field = new Field({ tokenize: 'basic_english', unkToken: null });
    const ds = new Dataset([{ text: field.preprocess('good film') }], { text: field });
    field.buildVocab(ds);
    expect(() => field.numericalizeTokens(field.preprocess('bad film') as string[])).toThrow(/"bad" is not in the vocabulary/);
    const label = new LabelField();
    label.buildVocab(new Dataset([{ label: 'pos' }, { label: 'neg' }], { label }));
    expect(label.vocab?.stoi.toObject()).toEqual({ neg: 0, pos: 1 });
  });
});
