// BucketIterator: batch counts, bucketing, padding, shapes, per-epoch shuffles.
import { Batch, BucketIterator, Dataset, Field, LabelField, collate } from '../../lib/data';

interface Ex { text: string[]; label: string }

function makeData(n: number, seed = 1, maxLen = 300): { ds: Dataset<Ex>; TEXT: Field; LABEL: LabelField } {
  const TEXT = new Field();
  const LABEL = new LabelField({ dtype: 'float32' });
  const examples: Ex[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const len = 1 + (x % maxLen);
    examples.push({ text: Array.from({ length: len }, (_, k) => `w${(i + k) % 50}`), label: i % 3 === 0 ? 'pos' : 'neg' });
  }
  const ds = new Dataset<Ex>(examples, { text: TEXT, label: LABEL }, { sortKey: (e) => e.text.length });
  TEXT.buildVocab(ds);
  LABEL.buildVocab(ds);
  return { ds, TEXT, LABEL };
}

function padding(it: BucketIterator<Ex>): { batches: number; fraction: number; sizes: number[] } {
  let cells = 0;
  let real = 0;
  const sizes: number[] = [];
  for (const b of it.numericBatches()) {
    const t = b.text as { shape: [number, number]; lengths: Int32Array };
    cells += t.shape[0] * t.shape[1];
    t.lengths.forEach((l) => (real += l));
    sizes.push(t.shape[1]);
  }
  return { batches: sizes.length, fraction: 1 - real / cells, sizes };
}

describe('BucketIterator', () => {
  test("the tutorial's batch counts: 274 / 118 / 391 at batch size 64", () => {
    const train = makeData(17500, 1, 20).ds;
    const valid = makeData(7500, 2, 20).ds;
    const test = makeData(25000, 3, 20).ds;
    const its = BucketIterator.splits([train, valid, test], { batchSize: 64, seed: 5 });
    expect(its.map((it) => it.length)).toEqual([274, 118, 391]);
    expect(padding(its[0]).batches).toBe(274);
    expect(padding(its[2]).batches).toBe(391);
  });

  test('train batches are buckets: far less padding than random batches', () => {
    const { ds } = makeData(6400);
    const bucketed = padding(new BucketIterator(ds, { batchSize: 64, seed: 1 }));
    const random = padding(new BucketIterator(ds, { batchSize: 64, seed: 1, bucket: false }));
    expect(bucketed.fraction).toBeLessThan(0.05);
    expect(random.fraction).toBeGreaterThan(0.3);
    expect(bucketed.sizes.every((s) => s === 64)).toBe(true);
  });

  test('valid/test iterators sort by length; every example appears exactly once per epoch', () => {
    const { ds } = makeData(1000);
    const plain = new BucketIterator(ds, { batchSize: 64, train: false, sortWithinBatch: false }).nextEpochExamples();
    const lens = plain.flat().map((e) => e.text.length);
    expect(lens).toEqual([...lens].sort((a, b) => a - b));
    expect(new Set(plain.flat()).size).toBe(1000);
    expect(plain[plain.length - 1].length).toBe(1000 - 15 * 64);
    // torchtext's default for sorted iterators: sort_within_batch = sort, each batch reversed
    const batches = new BucketIterator(ds, { batchSize: 64, train: false }).nextEpochExamples();
    batches.forEach((b, i) => expect(b.map((e) => e.text.length)).toEqual(plain[i].map((e) => e.text.length).reverse()));
  });

  test('reshuffled each epoch, reproducible with a seed', () => {
    const { ds } = makeData(3000);
    const order = (it: BucketIterator<Ex>) => it.nextEpochExamples().map((b) => ds.examples.indexOf(b[0]));
    const a = new BucketIterator(ds, { batchSize: 32, seed: 11 });
    const b = new BucketIterator(ds, { batchSize: 32, seed: 11 });
    const e1 = order(a);
    const e2 = order(a);
    expect(e1).not.toEqual(e2);
    expect(order(b)).toEqual(e1);
    expect(order(b)).toEqual(e2);
    expect(new Set(a.nextEpochExamples().flat()).size).toBe(3000);
  });

  test('sortWithinBatch orders each batch by decreasing length', () => {
    const { ds } = makeData(640);
    const it = new BucketIterator(ds, { batchSize: 64, seed: 2, sortWithinBatch: true });
    for (const b of it.nextEpochExamples()) {
      const lens = b.map((e) => e.text.length);
      expect(lens).toEqual([...lens].sort((x, y) => y - x));
    }
  });

  test('rejects bad options, naming them', () => {
    const { ds } = makeData(10);
    expect(() => new BucketIterator(ds, { batchSize: 0 })).toThrow(/Expected an integer >= 1 for options\.batchSize but received number 0/);
    expect(() => new BucketIterator(ds, { batchSize: 4, batch_size: 4 } as never)).toThrow(/Unknown option 'batch_size'/);
    const noKey = new Dataset([{ text: ['a'] }], { text: new Field() });
    expect(() => new BucketIterator(noKey, { batchSize: 1 })).toThrow(/sortKey/);
  });
});

describe('padding and numericalization (no tensors)', () => {
  test('[sent len, batch] padded with <pad>, lengths, labels as vocab ids', () => {
    const TEXT = new Field({ includeLengths: true });
    const LABEL = new LabelField({ dtype: 'float32' });
    const ds = new Dataset([{ text: ['a', 'b', 'c'], label: 'pos' }, { text: ['b'], label: 'neg' }], { text: TEXT, label: LABEL });
    TEXT.buildVocab(ds);
    LABEL.buildVocab(ds);
    const [a, b, c, pad] = ['a', 'b', 'c', '<pad>'].map((w) => TEXT.vocab!.stoi.get(w));
    const col = collate(ds.examples, ds.fields);
    const text = col.text as { ids: Int32Array; shape: number[]; lengths: Int32Array };
    expect(text.shape).toEqual([3, 2]);
    expect(Array.from(text.ids)).toEqual([a, b, b, pad, c, pad]);
    expect(Array.from(text.lengths)).toEqual([3, 1]);
    expect(LABEL.vocab!.stoi.toObject()).toEqual({ neg: 0, pos: 1 });
    expect(Array.from((col.label as { values: Float64Array }).values)).toEqual([1, 0]);
  });

  test('batchFirst, init/eos tokens, fixLength, padFirst, truncateFirst', () => {
    const F = new Field({ batchFirst: true, initToken: '<s>', eosToken: '</s>', fixLength: 4, padFirst: true, truncateFirst: true });
    F.buildVocab(new Dataset([{ text: ['x', 'y', 'z'] }], { text: F }));
    const s = (w: string) => F.vocab!.stoi.get(w);
    const r = F.padIds([['x', 'y', 'z'], ['x']]);
    expect(r.shape).toEqual([2, 4]);
    // maxLen = 4 - 2 = 2 tokens kept; truncateFirst keeps the last ones; padFirst pads on the left
    expect(Array.from(r.ids)).toEqual([s('<s>'), s('y'), s('z'), s('</s>'), s('<pad>'), s('<s>'), s('x'), s('</s>')]);
    expect(Array.from(r.lengths)).toEqual([4, 3]);
  });
});

describe('Batch tensors (native)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const torch = require('../../lib/tensor') as typeof import('../../lib/tensor');

  test('int64 text [sent len, batch], float32 labels, int64 lengths on cpu; dispose frees them', () => {
    const { ds } = makeData(200);
    const TEXT2 = new Field({ includeLengths: true });
    const ds2 = new Dataset(ds.examples, { text: TEXT2, label: ds.fields.label }, { sortKey: ds.sortKey });
    TEXT2.buildVocab(ds2);
    const before = torch.liveTensors();
    const it = new BucketIterator(ds2, { batchSize: 16, device: 'cpu', seed: 3, sortWithinBatch: true });
    let seen = 0;
    for (const batch of it) {
      const numeric = batch.collated.text as { ids: Int32Array; shape: number[]; lengths: Int32Array };
      expect(batch.text.dtype).toBe('int64');
      expect(batch.text.shape).toEqual(numeric.shape);
      expect(batch.text.device).toBe('cpu');
      expect(batch.hasLengths('text')).toBe(true);
      expect(Array.from(batch.text.toTypedArray() as BigInt64Array, Number)).toEqual(Array.from(numeric.ids));
      expect(batch.label.dtype).toBe('float32');
      expect(batch.label.shape).toEqual([batch.batchSize]);
      expect(Array.from(batch.textLengths.toTypedArray() as BigInt64Array, Number)).toEqual(Array.from(numeric.lengths));
      batch.dispose();
      expect(() => batch.text).toThrow(/disposed/);
      expect(() => batch.label).toThrow(expect.objectContaining({ name: 'DataError', code: 'DISPOSED' }));
      seen++;
    }
    expect(seen).toBe(it.length);
    expect(torch.liveTensors()).toBe(before);
  });

  test('batch-first layout; dispose is idempotent', () => {
    const F = new Field({ batchFirst: true });
    const L = new LabelField();
    const ds = new Dataset([{ text: ['a', 'b'], label: 'x' }, { text: ['a'], label: 'y' }], { text: F, label: L });
    F.buildVocab(ds);
    L.buildVocab(ds);
    const before = torch.liveTensors();
    const batch = Batch.fromExamples(ds.examples, ds.fields, 'cpu');
    expect(batch.text.shape).toEqual([2, 2]);
    expect(batch.label.dtype).toBe('int64');
    expect(() => batch.textLengths).toThrow(/includeLengths/);
    expect(batch.hasLengths()).toBe(false);
    expect(torch.liveTensors()).toBe(before + 2);
    batch.dispose();
    batch.dispose();
    expect(batch.isDisposed).toBe(true);
    expect(torch.liveTensors()).toBe(before);
  });
});
