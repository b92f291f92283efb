// Vocabulary order and sizes follow legacy torchtext's Vocab.
import { Counter, Field, Vocab, compareCodePoints, Dataset } from '../../lib/data';

function counter(words: string): Counter {
  return new Counter().update(words.split(' ').filter(Boolean));
}

describe('Vocab', () => {
  test('specials first, then by descending frequency, ties in alphabetical order', () => {
    const v = new Vocab(counter('b a c a b a d d'), { specials: ['<unk>', '<pad>'] });
    // a:3, b:2, d:2, c:1 -> b before d (tie, alphabetical)
    expect(v.itos).toEqual(['<unk>', '<pad>', 'a', 'b', 'd', 'c']);
    expect(v.stoi.get('b')).toBe(3);
    expect(v.length).toBe(6);
  });

  test('unknown words map to <unk>; without <unk> they throw', () => {
    const v = new Vocab(counter('x y'));
    expect(v.stoi.get('never-seen')).toBe(0);
    expect(v.lookupIndices(['x', 'zzz', 'y'])).toEqual(Int32Array.from([v.stoi.get('x'), 0, v.stoi.get('y')]));
    const labels = new Vocab(counter('pos neg neg'), { specials: [] });
    expect(labels.stoi.toObject()).toEqual({ neg: 0, pos: 1 });
    expect(() => labels.stoi.get('meh')).toThrow(/not in the vocabulary/);
  });

  test('padIds remembers each example\'s ids for later epochs, per vocabulary', () => {
    const field = new Field();
    const examples = [['x', 'y', 'zzz'], ['y']];
    field.vocab = new Vocab(counter('x y y'));
    const first = field.padIds(examples);
    const v = field.vocab;
    expect(v.cachedIndices(examples[0])).toBe(v.cachedIndices(examples[0])); // the same array, not a new lookup
    expect(field.padIds(examples).ids).toEqual(first.ids);
    // A new vocabulary does not reuse the old one's ids.
    field.vocab = new Vocab(counter('zzz zzz y'));
    const again = field.padIds(examples);
    expect(again.ids).not.toEqual(first.ids);
    expect(field.vocab.cachedIndices(examples[0])).toEqual(Int32Array.from([0, 3, 2]));
  });

  test('maxSize counts words only; minFreq drops rare words', () => {
    const c = counter('a a a b b c c d e');
    expect(new Vocab(c, { maxSize: 2 }).itos).toEqual(['<unk>', '<pad>', 'a', 'b']);
    expect(new Vocab(c, { minFreq: 2 }).itos).toEqual(['<unk>', '<pad>', 'a', 'b', 'c']);
    expect(new Vocab(c, { maxSize: 0 }).length).toBe(2);
    // a tie at the cut is broken alphabetically
    expect(new Vocab(counter('c c b b a a d'), { maxSize: 2 }).itos).toEqual(['<unk>', '<pad>', 'a', 'b']);
    expect(new Vocab(counter('c c b b a a d'), { maxSize: 3, minFreq: 2 }).itos).toEqual(['<unk>', '<pad>', 'a', 'b', 'c']);
  });

  test('specials are not counted as words, and can go last', () => {
    const v = new Vocab(counter('<pad> a <unk> a b'), { specialsFirst: false });
    expect(v.itos).toEqual(['a', 'b', '<unk>', '<pad>']);
    expect(v.unkIndex).toBe(2);
    expect(v.stoi.get('zzz')).toBe(2);
  });

  test('ties use Python (code point) order, not UTF-16 order', () => {
    // U+FF21 (BMP, above the surrogates) sorts before U+1F600 in Python, after it in UTF-16.
    const v = new Vocab(counter('😀 Ａ'), { specials: [] });
    expect(v.itos).toEqual(['Ａ', '😀']);
    expect(compareCodePoints('Ａ', '😀')).toBeLessThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('b', 'a')).toBeGreaterThan(0);
  });

  test('freqs.mostCommon keeps counts and first-seen order on ties', () => {
    const c = counter('z y z x y w');
    expect(c.mostCommon(3)).toEqual([['z', 2], ['y', 2], ['x', 1]]);
    expect(c.total()).toBe(6);
  });

  test('bad options name the parameter', () => {
    expect(() => new Vocab(counter('a'), { maxSize: -1 })).toThrow(/Expected an integer >= 0 for options\.maxSize but received number -1/);
    expect(() => new Vocab(counter('a'), { max_size: 3 } as never)).toThrow(/Unknown option 'max_size'/);
  });
});

describe('Field.buildVocab', () => {
  test('counts the field over the datasets and adds its specials', () => {
    const TEXT = new Field();
    const ds = new Dataset([{ text: ['b', 'a', 'a'] }, { text: ['c', 'a'] }], { text: TEXT });
    const v = TEXT.buildVocab(ds, { maxSize: 2 });
    expect(v.itos).toEqual(['<unk>', '<pad>', 'a', 'b']);
    expect(TEXT.vocab).toBe(v);
    expect(v.freqs.get('c')).toBe(1);
  });
  test('extra specials come after unk/pad/init/eos', () => {
    const TEXT = new Field({ initToken: '<sos>', eosToken: '<eos>' });
    const ds = new Dataset([{ text: ['x'] }], { text: TEXT });
    expect(TEXT.buildVocab(ds, { specials: ['<mask>'] }).itos).toEqual(['<unk>', '<pad>', '<sos>', '<eos>', '<mask>', 'x']);
  });
});
