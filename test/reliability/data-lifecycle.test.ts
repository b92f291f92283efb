// Lifecycle and misuse of the data layer (issue 12), as better-sqlite3 tests close(): every Batch
// method after dispose() throws DataError DISPOSED (found by walking the prototype, so a new method
// is covered too); Field, LabelField, Vocab and BucketIterator used out of order give a DataError
// or a TypeError/RangeError naming what is wrong, and leak no tensor. BucketIterator holds no native
// resource and has no dispose(); a Batch it made is the caller's to dispose. Counts are printed.
import { Batch, BucketIterator, Counter, DataError, Dataset, Field, LabelField, Vocab } from '../../lib/data';
import { liveTensors } from '../../lib/tensor';

function data() {
  const TEXT = new Field({ tokenize: 'basic_english', includeLengths: true });
  const LABEL = new LabelField({ dtype: 'float32' });
  const examples = ['a good film', 'bad', 'very good indeed', 'not bad at all'].map((t, i) => ({ text: TEXT.preprocess(t) as string[], label: i % 2 ? 'neg' : 'pos' }));
  const ds = new Dataset(examples, { text: TEXT, label: LABEL }, { sortKey: (e: { text: unknown[] }) => e.text.length });
  return { TEXT, LABEL, ds };
}

test('every Batch method and getter after dispose() throws DataError DISPOSED', () => {
  const { TEXT, LABEL, ds } = data();
  TEXT.buildVocab(ds);
  LABEL.buildVocab(ds);
  const batch = Batch.fromExamples(ds.examples, ds.fields);
  batch.dispose();
  batch.dispose(); // twice is fine
  expect(batch.isDisposed).toBe(true);
  const proto = Batch.prototype as unknown as Record<string, unknown>;
  const names = Object.getOwnPropertyNames(Batch.prototype).filter((n) => !['constructor', 'dispose', 'isDisposed', 'check', 'undefined' /* [Symbol.dispose] where Node lacks the symbol */].includes(n));
  let tried = 0;
  for (const name of names) {
    const desc = Object.getOwnPropertyDescriptor(Batch.prototype, name) as PropertyDescriptor;
    const call = desc.get ? () => desc.get?.call(batch) : () => (proto[name] as (a: string) => unknown).call(batch, 'text');
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect([name, error instanceof DataError && (error as DataError).code]).toEqual([name, 'DISPOSED']);
    tried++;
  }
  expect(tried).toBeGreaterThanOrEqual(6); // get, lengthsOf, hasLengths, text, textLengths, label
  batch[Symbol.dispose]();
  console.log(`Batch after dispose: ${tried} methods/getters tried, ${tried} threw DISPOSED`);
});

test('Field, LabelField, Vocab and BucketIterator out of order: clear errors, no leaked tensors', () => {
  const { TEXT, LABEL, ds } = data();
  const live = liveTensors();
  const cases: Array<[string, () => unknown, RegExp, string?]> = [
    ['numericalizeTokens before buildVocab', () => TEXT.numericalizeTokens(['a']), /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['padIds before buildVocab', () => TEXT.padIds([['a']]), /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['valueIds before buildVocab', () => LABEL.valueIds(['pos']), /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['iterating before buildVocab', () => [...new BucketIterator(ds, { batchSize: 2 })], /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['numericBatches before buildVocab', () => [...new BucketIterator(ds, { batchSize: 2 }).numericBatches()], /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['Batch.fromExamples before buildVocab', () => Batch.fromExamples(ds.examples, ds.fields), /buildVocab/, 'VOCAB_NOT_BUILT'],
    ['LabelField.padIds', () => LABEL.padIds([['pos']]), /not sequential/, 'NOT_SEQUENTIAL'],
    ['preprocess of a number', () => TEXT.preprocess(5 as unknown as string), /Expected a string for x but received number 5/],
    ['buildVocab of a non-dataset', () => TEXT.buildVocab({} as never), /Expected a Dataset or an array of Datasets for datasets/],
    ['BucketIterator batchSize 0', () => new BucketIterator(ds, { batchSize: 0 }), /options\.batchSize/],
    ['Vocab of a non-Counter', () => new Vocab(['a'] as never), /Expected a Counter for counter/],
    ['stoi of an unknown token without <unk>', () => new Vocab(new Counter([['a', 1]]), { specials: [] }).stoi.get('b'), /"b" is not in the vocabulary, and it has no <unk> token/],
  ];
  for (const [name, run, message, code] of cases) {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect([name, (error as Error | undefined)?.message]).toEqual([name, expect.stringMatching(message)]);
    if (code !== undefined) expect([name, (error as DataError).code]).toEqual([name, code]);
  }
  expect(liveTensors()).toBe(live);
  // After buildVocab the same calls work, and an iterator can be iterated again (one epoch each).
  TEXT.buildVocab(ds);
  LABEL.buildVocab(ds);
  const it = new BucketIterator(ds, { batchSize: 3, seed: 1 });
  for (let epoch = 0; epoch < 2; epoch++) {
    let n = 0;
    for (const b of it) {
      n += b.batchSize;
      b.dispose();
    }
    expect(n).toBe(4);
  }
  expect(liveTensors()).toBe(live);
  console.log(`data misuse: ${cases.length} cases tried, ${cases.length} clear errors, 0 leaked tensors`);
});
