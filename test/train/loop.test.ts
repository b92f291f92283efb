// The tutorial's training API on a small learnable dataset: results, checkpoints, and no leaks.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { data, models, nn, optim, train, evaluate, fit, binaryAccuracy, epochTime, liveTensors, manualSeed, tensor, predictSentiment, metricsFrom, plotSvg } from '../../lib';
import { BatchSums } from '../../lib/train/loop';
import { syntheticImdb } from '../helpers/synthetic-imdb';
import { DEVICE } from '../helpers/device';

async function setUp(includeLengths = false) {
  const root = syntheticImdb(48);
  const TEXT = new data.Field({ tokenize: 'whitespace', includeLengths });
  const LABEL = new data.LabelField({ dtype: 'float32' });
  const [full, test] = await data.IMDB.splits(TEXT, LABEL, { path: root });
  const [trainData, validData] = full.split({ ratio: 0.75, seed: 1 });
  TEXT.buildVocab(trainData);
  LABEL.buildVocab(trainData);
  const iterators = data.BucketIterator.splits([trainData, validData, test], { batchSize: 8, device: DEVICE, seed: 1, sortWithinBatch: includeLengths });
  return { root, TEXT, LABEL, iterators, vocab: TEXT.vocab as data.Vocab };
}

describe('training loops', () => {
  test('binaryAccuracy and epochTime compute what the tutorial computes', () => {
    const preds = tensor([2, -1, 0.5, -3]); // sigmoid -> 1, 0, 1, 0
    const y = tensor([1, 1, 1, 0]);
    expect(binaryAccuracy(preds, y)).toBe(0.75);
    expect(epochTime(0, 125_500)).toEqual({ mins: 2, secs: 5 });
  });

  test("train and evaluate return the tutorial's per-batch means of item(), bit for bit", async () => {
    const { iterators, vocab } = await setUp();
    const criterion = new nn.BCEWithLogitsLoss();
    const run = (useLoop: boolean) => {
      manualSeed(5);
      const model = new models.RNNClassifier(vocab.length, 8, 12, 1).to(DEVICE);
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
      const it = data.BucketIterator.splits([iterators[0].dataset], { batchSize: 8, device: DEVICE, seed: 9 })[0];
      try {
        if (useLoop) return [train(model, it, optimizer, criterion, { progress: false }), evaluate(model, it, criterion, { progress: false })];
        // The tutorial's loop, each batch's loss and accuracy read back as it goes.
        const results = [];
        for (const training of [true, false]) {
          let loss = 0;
          let acc = 0;
          if (training) model.train();
          else model.eval();
          for (const b of it) {
            const preds = model.forward(b.text).squeeze(1);
            const l = criterion.forward(preds, b.label);
            if (training) {
              optimizer.zeroGrad();
              l.backward();
              optimizer.step();
            }
            loss += l.item() as number;
            acc += binaryAccuracy(preds, b.label);
            [preds, l].forEach((t) => t.dispose());
            b.dispose();
          }
          results.push({ loss: loss / it.length, acc: acc / it.length });
        }
        return results;
      } finally {
        model.dispose();
        optimizer.dispose();
      }
    };
    const ours = run(true);
    const tutorial = run(false);
    expect(ours[0].loss).toBeGreaterThan(0);
    expect(ours).toEqual(tutorial);
  });

  test('BatchSums: sums kept on the device (float64) equal item() summed here, bit for bit', () => {
    const onDevice = new BatchSums(true);
    const here = new BatchSums(false);
    let expected = 0;
    for (let i = 0; i < 300; i++) {
      const l = tensor([Math.fround(0.6931 + Math.sin(i) / 7)], { device: DEVICE }).squeeze(0);
      const a = tensor([Math.fround((i % 64) / 64)], { device: DEVICE }).squeeze(0);
      onDevice.add(l, a);
      here.add(l, a);
      expected += l.item() as number;
      [l, a].forEach((t) => t.dispose());
    }
    expect(here.read().loss).toBe(expected);
    expect(onDevice.read()).toEqual(here.read());
    expect(Math.fround(expected)).not.toBe(expected); // float32 sums would round: the test can tell
    onDevice.dispose();
    here.dispose();
  });

  test('train and evaluate learn a separable task and keep live tensors flat across epochs', async () => {
    const { iterators, vocab, TEXT, LABEL } = await setUp();
    manualSeed(3);
    const model = new models.RNNClassifier(vocab.length, 16, 24, 1).to(DEVICE);
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
    const criterion = new nn.BCEWithLogitsLoss();
    const [trainIt, validIt, testIt] = iterators;
    expect(trainIt.length).toBe(Math.ceil(72 / 8));
    const first = evaluate(model, validIt, criterion, { progress: false });
    const before = liveTensors();
    let last = first;
    for (let epoch = 0; epoch < 12; epoch++) {
      train(model, trainIt, optimizer, criterion, { progress: false });
      last = evaluate(model, validIt, criterion, { progress: false });
      expect(liveTensors()).toBe(before);
    }
    expect(last.loss).toBeLessThan(first.loss);
    const test = evaluate(model, testIt, criterion, { progress: false });
    expect(test.acc).toBeGreaterThan(0.8);
    const p = predictSentiment(model, TEXT, 'great wonderful superb film', { device: DEVICE });
    const n = predictSentiment(model, TEXT, 'awful terrible boring film', { device: DEVICE });
    // Probabilities are of label id 1, which is whichever label the train split has more of.
    if ((LABEL.vocab as data.Vocab).stoi.get('pos') === 1) expect(p).toBeGreaterThan(n);
    else expect(p).toBeLessThan(n);
    expect(liveTensors()).toBe(before);
    model.dispose();
    optimizer.dispose();
  });

  test('fit keeps the best validation checkpoint and reloads it; packed LSTM gets lengths', async () => {
    const { iterators, vocab } = await setUp(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fit-'));
    manualSeed(5);
    const model = new models.LSTMClassifier(vocab.length, 12, 16, 1, 2, true, 0.2, vocab.stoi.get('<pad>')).to(DEVICE);
    const optimizer = new optim.Adam(model.parameters());
    const seen: number[] = [];
    const records = fit(model, { train: iterators[0], valid: iterators[1] }, optimizer, new nn.BCEWithLogitsLoss(), {
      epochs: 3,
      checkpoint: path.join(dir, 'best.pt'),
      progress: false,
      onEpoch: (r) => seen.push(r.epoch),
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(records.filter((r) => r.best).length).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(path.join(dir, 'best.pt'))).toBe(true);
    const best = records.reduce((a, b) => (b.valid.loss < a.valid.loss ? b : a));
    const again = evaluate(model, iterators[1], new nn.BCEWithLogitsLoss(), { progress: false });
    expect(again.loss).toBeCloseTo(best.valid.loss, 5); // the reloaded weights are the best epoch's
    const svg = plotSvg(metricsFrom(records));
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<polyline/g) ?? []).length).toBe(4);
    model.dispose();
  });

  test('bad arguments are named', () => {
    const criterion = new nn.BCEWithLogitsLoss();
    expect(() => train({} as never, [] as never, {} as never, criterion)).toThrow(/a Module with forward\(\) for model/);
    const m = new models.FastText(10, 4, 1, 1);
    expect(() => evaluate(m, 5 as never, criterion)).toThrow(/iterable of batches/);
    expect(() => binaryAccuracy([1] as never, tensor([1]))).toThrow(/a Tensor for preds/);
  });
});

describe('predictSentiment', () => {
  test('a text Field without a vocabulary is a DataError (VOCAB_NOT_BUILT)', () => {
    const model = new nn.Linear(1, 1);
    const call = () => predictSentiment(model as never, new data.Field(), 'a fine film');
    expect(call).toThrow(data.DataError);
    expect(call).toThrow(expect.objectContaining({ code: 'VOCAB_NOT_BUILT', message: expect.stringMatching(/call buildVocab first/) }));
    model.dispose();
  });
});
