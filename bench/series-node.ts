// Node side of bench/series.ts (a child process per model): the CLI's training run (lib/cli/commands.ts
// runTrain, step for step: the same tokenizer, split, vocabulary, iterators, model, optimizer and
// fit() with the best-validation checkpoint, then the test split), with, first, everything PyTorch
// needs to run the same training written to DIR (--dump): the initial state dict, every epoch's training
// batches (a second iterator with the same seed makes the same epochs), the validation and the test
// batches. One change from the CLI: the torch generator is reseeded just before training, on both sides,
// so that dropout draws the same masks. Prints JSON {params, epochs: [...], test, seconds}.
import * as fs from 'fs';
import * as path from 'path';
import { BucketIterator, Field, IMDB, LabelField, generateBigrams } from '../lib/data';
import type { CollatedField, Dataset, ImdbExample, Vocab } from '../lib/data';
import { addonInfo, cuda, evaluate, fit, manualSeed, models, nn, optim, resolveDevice, save } from '../lib';
import { setUp, source } from '../lib/cli/commands';

interface BatchSpec {
  shape: number[];
  labels: number[];
  lengths?: number[];
}

/** Appends one iterator epoch's token ids to `out` and returns the batches' shapes, labels and lengths. */
function dumpEpoch(batches: Iterable<Record<string, CollatedField>>, out: number, withLengths: boolean): BatchSpec[] {
  const specs: BatchSpec[] = [];
  for (const c of batches) {
    const text = c.text;
    const label = c.label;
    if (text.kind !== 'sequence' || label.kind !== 'values') throw new Error('unexpected batch layout');
    fs.writeSync(out, new Uint8Array(text.ids.buffer, text.ids.byteOffset, text.ids.byteLength));
    specs.push({ shape: text.shape, labels: Array.from(label.values), ...(withLengths ? { lengths: Array.from(text.lengths) } : {}) });
  }
  return specs;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
  const name = (arg('model') ?? 'rnn') as models.ModelName;
  const epochs = Number(arg('epochs') ?? 5);
  const dump = arg('dump') as string;
  const data = arg('data') as string;
  const device = resolveDevice((arg('device') ?? 'cpu') as 'cpu');
  // The CLI's defaults (lib/cli/main.ts).
  const seed = 1234;
  const batchSize = 64;
  const lr = 1e-3;
  const optimizerName = name === 'rnn' ? 'sgd' : 'adam';
  const t0 = performance.now();
  setUp(undefined);
  manualSeed(seed);
  const lengths = models.needsLengths(name);
  const TEXT = new Field({ tokenize: 'spacy', includeLengths: lengths, preprocessing: name === 'fasttext' ? generateBigrams : null });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [full, testData] = await IMDB.splits(TEXT, LABEL, source(data));
  const [trainData, validData] = full.split({ ratio: 0.7, seed });
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const vocab = TEXT.vocab as Vocab;
  const iterators = () =>
    BucketIterator.splits([trainData, validData, testData] as Array<Dataset<ImdbExample>>, { batchSizes: [batchSize, batchSize, batchSize], device, seed, sortWithinBatch: lengths });
  const config = models.defaultConfig(name, vocab.length, vocab.stoi.get('<pad>'));
  const model = models.createModel(config).to(device);

  fs.mkdirSync(dump, { recursive: true });
  save(model.stateDict(), path.join(dump, 'model.pt'));
  const out = fs.openSync(path.join(dump, 'batches.bin'), 'w');
  const [trainDump, validDump, testDump] = iterators();
  const trainSpecs = Array.from({ length: epochs }, () => dumpEpoch(trainDump.numericBatches(), out, lengths));
  const validSpecs = dumpEpoch(validDump.numericBatches(), out, lengths);
  const testSpecs = dumpEpoch(testDump.numericBatches(), out, lengths);
  fs.closeSync(out);
  fs.writeFileSync(path.join(dump, 'batches.json'), JSON.stringify({ model: config, device: String(device), seed, optimizer: optimizerName, lr, epochs: trainSpecs, valid: validSpecs, test: testSpecs }));
  const prepared = (performance.now() - t0) / 1000;
  // bench/series.ts may start PyTorch's side now.
  process.stderr.write('series-node: dumped\n');

  const [trainIt, validIt, testIt] = iterators();
  const optimizer = optimizerName === 'sgd' ? new optim.SGD(model.parameters(), { lr }) : new optim.Adam(model.parameters(), { lr });
  const criterion = new nn.BCEWithLogitsLoss();
  manualSeed(seed);
  cuda.synchronize();
  const t1 = performance.now();
  const records = fit(model, { train: trainIt, valid: validIt }, optimizer, criterion, { epochs, checkpoint: path.join(dump, 'node-best.pt'), progress: false });
  const test = evaluate(model, testIt, criterion, { progress: false });
  cuda.synchronize();
  const trainSeconds = (performance.now() - t1) / 1000;
  console.log(
    JSON.stringify({
      params: nn.countParameters(model),
      epochs: records.map((r) => ({ train: r.train, valid: r.valid, seconds: r.seconds, trainSeconds: r.trainSeconds, best: r.best })),
      test,
      prepareSeconds: prepared,
      seconds: trainSeconds,
      blas: addonInfo.blas.core,
    }),
  );
  model.dispose();
  optimizer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
