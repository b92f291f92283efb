// Field and LabelField: preprocessing and torchtext defaults.
import { DataError, Field, LabelField } from '../../lib/data';

describe('Field', () => {
  test('tokenizes after stripping trailing newlines, lowercases when asked', () => {
    const f = new Field({ tokenize: 'spacy', lower: true });
    expect(f.preprocess("Don't STOP.\n\n")).toEqual(['do', "n't", 'stop', '.']);
    expect(new Field().preprocess('a  b\n')).toEqual(['a', 'b']);
    expect(new Field({ tokenize: (s) => s.split(',') }).preprocess('x,y')).toEqual(['x', 'y']);
  });

  test("torchtext defaults: <unk> and <pad>, int64, sequence first", () => {
    const f = new Field();
    expect([f.unkToken, f.padToken, f.dtype, f.batchFirst, f.includeLengths]).toEqual(['<unk>', '<pad>', 'int64', false, false]);
    expect(f.specials()).toEqual(['<unk>', '<pad>']);
  });

  test('LabelField: not sequential, no <unk>, no <pad>', () => {
    const l = new LabelField({ dtype: 'float32' });
    expect([l.sequential, l.unkToken, l.padToken, l.dtype]).toEqual([false, null, null, 'float32']);
    expect(l.preprocess('pos')).toBe('pos');
    expect(l.specials()).toEqual([]);
  });

  test('needs a vocabulary before numericalizing', () => {
    expect(() => new Field().numericalizeTokens(['a'])).toThrow(/call field\.buildVocab\(trainData\) first/);
    expect(() => new Field().padIds([['a']])).toThrow(DataError);
    expect(() => new Field().numericalizeTokens(['a'])).toThrow(expect.objectContaining({ name: 'DataError', code: 'VOCAB_NOT_BUILT' }));
    expect(() => new LabelField().padIds([['a']])).toThrow(expect.objectContaining({ code: 'NOT_SEQUENTIAL', message: 'padIds: the field is not sequential' }));
  });

  test("buildVocab over a user's own token arrays (bigrams): torchtext's counts and order, the same ids", () => {
    const withBigrams = (x: string[]) => [...x, ...new Set(x.slice(1).map((t, i) => `${x[i]} ${t}`))];
    const texts = ['a b a b c', 'b a b', 'c c d e a', 'e'];
    const made = (f: Field) => texts.map((t) => withBigrams(f.preprocess(t) as string[]));
    const f = new Field({ tokenize: 'spacy' });
    const examples = made(f).map((text) => ({ text }));
    const vocab = f.buildVocab({ fields: { text: f }, examples }, { maxSize: 6 });
    // The reference: counted token by token as legacy torchtext does.
    const counts = new Map<string, number>();
    for (const e of examples) for (const t of e.text) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect([...vocab.freqs.entries()]).toEqual([...counts.entries()]);
    expect(vocab.itos).toEqual(['<unk>', '<pad>', 'a', 'b', 'c', 'a b', 'b a', 'e']);
    const lookedUp = (x: string[]) => x.map((t) => vocab.stoi.get(t));
    const padded = f.padIds(examples.map((e) => e.text));
    const rows = examples.map((e) => lookedUp(e.text));
    const width = Math.max(...rows.map((r) => r.length));
    expect(Array.from(padded.ids)).toEqual(Array.from({ length: width * rows.length }, (_, k) => rows[k % rows.length][Math.floor(k / rows.length)] ?? 1));
    // Without <unk> nothing is remembered: an unknown token still fails where it is batched.
    const strict = new Field({ unkToken: null });
    const own = [['x', 'y'], ['x']].map((text) => ({ text }));
    strict.buildVocab({ fields: { text: strict }, examples: own }, { maxSize: 1 });
    expect(() => strict.padIds(own.map((e) => e.text))).toThrow(/"y" is not in the vocabulary/);
  });

  test('bad options are named', () => {
    expect(() => new Field({ dtype: 'int8' as never })).toThrow(/Expected one of float32, float64, int32, int64, bool for options\.dtype but received string "int8"/);
    expect(() => new Field({ tokenizerLanguage: 'de' })).toThrow(/options\.tokenizerLanguage/);
    expect(() => new Field({ include_lengths: true } as never)).toThrow(/Unknown option 'include_lengths'/);
    expect(() => new Field({ padToken: null })).toThrow(/options\.padToken/);
  });
});
