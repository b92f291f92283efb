// IMDB.splits from an archive keeps each example's tokens as interner ids and makes the array on first
// read: what a user sees (the arrays, JSON, keys, assignment) and what the pipeline computes from them
// (vocabulary, batches, sort keys) must be exactly those of arrays made up front.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BucketIterator, Dataset, Field, IMDB, LabelField, basicEnglishTokenize, collate, spacyTokenizer } from '../../lib/data';
import type { ImdbExample } from '../../lib/data';
import { imdbEntries, makeTarGz, tempDir, tinyImdb } from './helpers/fixtures';

const dir = tempDir();
const archive = path.join(dir, 'labelled.tar.gz');
const files = tinyImdb();
files['train/neg/21_1.txt'] = 'A "QUOTED" naïve café review; it said: ΑΣ tokens, a very-long-token-with-more-than-sixteen-bytes!';
files['test/pos/3_9.txt'] = '';
fs.writeFileSync(archive, makeTarGz(imdbEntries(files)));

const strings = { basic_english: basicEnglishTokenize, spacy: (s: string) => spacyTokenizer().tokenize(s) };

/** What each example's tokens must be: the first line of its file, tokenized from the string. */
function expectedTokens(tokenize: 'basic_english' | 'spacy', split: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, text] of Object.entries(files)) {
    if (name.startsWith(`${split}/`) && !name.includes('unsup')) out.set(name, strings[tokenize](text.split('\n')[0]));
  }
  return out;
}

async function read(tokenize: 'basic_english' | 'spacy') {
  const TEXT = new Field({ tokenize });
  const LABEL = new LabelField();
  const [train, test] = await IMDB.splits(TEXT, LABEL, { archive });
  return { TEXT, LABEL, train, test };
}

/** Whether `example.text` was not read yet (still the accessor that makes it). */
const unread = (example: object) => typeof Object.getOwnPropertyDescriptor(example, 'text')?.get === 'function';

/** The same examples with their arrays made up front (copies: the string path). */
function eager(ds: Dataset<ImdbExample>, fields = ds.fields): Dataset<ImdbExample> {
  return new Dataset(ds.examples.map((e) => ({ text: [...e.text], label: e.label })), fields, { sortKey: IMDB.sortKey });
}

describe.each(['basic_english', 'spacy'] as const)('%s: tokens made on first read', (tokenize) => {
  test('the arrays, keys, JSON and sort keys are those of the tokens', async () => {
    const { train, test } = await read(tokenize);
    for (const [split, ds] of [['train', train], ['test', test]] as const) {
      const want = [...expectedTokens(tokenize, split).values()].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')));
      // Sort keys first: they must not need the arrays.
      const keys = ds.examples.map((e) => IMDB.sortKey(e));
      const got = ds.examples.map((e) => e.text);
      expect(keys).toEqual(got.map((t) => t.length));
      expect([...got].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')))).toEqual(want);
    }
    const ex = train.examples[0];
    expect(Object.keys(ex)).toEqual(['text', 'label']);
    expect(JSON.parse(JSON.stringify(ex))).toEqual({ text: ex.text, label: ex.label });
    expect({ ...ex }).toEqual({ text: ex.text, label: ex.label });
    expect(ex.text).toBe(ex.text); // made once
    expect(Object.getOwnPropertyDescriptor(ex, 'text')).toMatchObject({ writable: true, enumerable: true, value: ex.text });
  });

  test('a vocabulary and batches over unread examples are those of arrays made up front', async () => {
    const { TEXT, train, test } = await read(tokenize);
    const copy = eager((await read(tokenize)).train);
    expect(train.examples.every(unread)).toBe(true);
    const vocab = TEXT.buildVocab(train, { maxSize: 12 });
    expect(train.examples.every(unread)).toBe(true); // counted by their ids
    const ref = new Field({ tokenize: (s) => s.split(' ') }); // a plain function: no interner, the string path
    const refVocab = ref.buildVocab(new Dataset(copy.examples, { text: ref }), { maxSize: 12 });
    expect(vocab.itos).toEqual(refVocab.itos);
    expect([...vocab.freqs]).toEqual([...refVocab.freqs]);
    // Batches of unread, read and foreign examples side by side.
    const mixed = test.examples.map((e, i) => (i === 0 ? { text: [...e.text], label: e.label } : e));
    void mixed[1].text;
    const viaIds = collate(mixed, { text: TEXT, label: null });
    expect(mixed.slice(2).every(unread)).toBe(true); // batched by their ids
    const viaStrings = TEXT.padIds(mixed.map((e) => [...e.text]));
    expect(viaIds.text).toMatchObject({ shape: viaStrings.shape });
    expect(Array.from((viaIds.text as { ids: Int32Array }).ids)).toEqual(Array.from(viaStrings.ids));
    expect(Array.from((viaIds.text as { lengths: Int32Array }).lengths)).toEqual(Array.from(viaStrings.lengths));
  });

  test('an epoch of an iterator over unread examples equals one over arrays made up front', async () => {
    const { TEXT, LABEL, train } = await read(tokenize);
    const copy = eager((await read(tokenize)).train, train.fields);
    TEXT.buildVocab(train);
    LABEL.buildVocab(train);
    const batches = (ds: Dataset<ImdbExample>) => [...new BucketIterator(ds, { batchSize: 2, seed: 7 }).numericBatches()]
      .map((b) => ({ ids: Array.from((b.text as { ids: Int32Array }).ids), labels: Array.from((b.label as { values: Float64Array }).values) }));
    const lazy = batches(train);
    expect(train.examples.every(unread)).toBe(true);
    expect(lazy).toEqual(batches(copy));
    expect(lazy.length).toBe(3);
  });
});

describe('unread tokens, written or frozen', () => {
  test('writing the property replaces the tokens, and buildVocab counts what was written', async () => {
    const { TEXT, train } = await read('basic_english');
    train.examples[0].text = ['replaced', 'replaced'];
    expect(train.examples[0].text).toEqual(['replaced', 'replaced']);
    expect(IMDB.sortKey(train.examples[0])).toBe(2);
    const vocab = TEXT.buildVocab(train);
    expect(vocab.freqs.get('replaced')).toBe(2);
    const copy = eager(train);
    const ref = new Field({ tokenize: (s) => s.split(' ') });
    expect(vocab.itos).toEqual(ref.buildVocab(new Dataset(copy.examples, { text: ref })).itos);
  });

  test('a frozen example still reads its tokens, the same array every time', async () => {
    const { TEXT, test } = await read('basic_english');
    const ex = Object.freeze(test.examples[1]);
    expect(unread(ex)).toBe(true);
    const tokens = ex.text;
    expect(tokens).toEqual(basicEnglishTokenize('Meh...'));
    expect(ex.text).toBe(tokens);
    expect(() => {
      (ex as { text: string[] }).text = [];
    }).toThrow(TypeError);
    TEXT.buildVocab(test);
    expect(Array.from(TEXT.numericalizeTokens(ex.text))).toEqual(Array.from(TEXT.vocab!.lookupIndices(tokens)));
  });
});

describe('which fields keep token ids', () => {
  test('only an interned tokenizer without lower or preprocessing; others read eagerly, as before', async () => {
    const bytes = Buffer.from('Good film, GOOD film.');
    expect(new Field({ tokenize: 'basic_english' }).tokenIdsOfBytes(bytes)).toBeInstanceOf(Int32Array);
    expect(new Field({ tokenize: 'spacy' }).tokenIdsOfBytes(bytes)).toBeInstanceOf(Int32Array);
    expect(new Field({ tokenize: 'whitespace' }).tokenIdsOfBytes(bytes)).toBeUndefined();
    expect(new Field({ tokenize: 'spacy', lower: true }).tokenIdsOfBytes(bytes)).toBeUndefined();
    expect(new Field({ tokenize: 'basic_english', preprocessing: (t: string[]) => t.slice(1) }).tokenIdsOfBytes(bytes)).toBeUndefined();
    expect(() => new Field({ tokenize: 'whitespace' }).setLazyTokens({}, 'text', new Int32Array(0))).toThrow(TypeError);
    // A lower-casing field reads the same archive eagerly: plain data properties, lower-cased tokens.
    const TEXT = new Field({ tokenize: 'spacy', lower: true });
    const [train] = await IMDB.splits(TEXT, new LabelField(), { archive });
    expect(train.examples.some(unread)).toBe(false);
    expect(train.examples.map((e) => e.text).flat()).toContain('good');
  });
});
