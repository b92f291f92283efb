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

  test('bad options are named', () => {
    expect(() => new Field({ dtype: 'int8' as never })).toThrow(/Expected one of float32, float64, int32, int64, bool for options\.dtype but received string "int8"/);
    expect(() => new Field({ tokenizerLanguage: 'de' })).toThrow(/options\.tokenizerLanguage/);
    expect(() => new Field({ include_lengths: true } as never)).toThrow(/Unknown option 'include_lengths'/);
    expect(() => new Field({ padToken: null })).toThrow(/options\.padToken/);
  });
});
