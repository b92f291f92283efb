// Node side of bench/seed-epoch.ts (a child process, so each allocator setting starts fresh): one
// epoch of the tutorial's model, timing the BucketIterator's batch creation and the training steps.
// Prints JSON {seconds, loss, acc}. With --dump it first writes the epoch's batches for PyTorch.
import * as fs from 'fs';
import { addonInfo, data, manualSeed, models, nn, optim, train, tuneAllocator, cuda, resolveDevice, setBlasThreads, setFlushDenormal } from '../lib';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const source = args[args.indexOf('--data') + 1];
  const device = resolveDevice((args.includes('--device') ? args[args.indexOf('--device') + 1] : 'cpu') as 'cpu');
  if (args.includes('--tuned')) tuneAllocator();
  if (args.includes('--flush')) {
    setFlushDenormal(true);
    setBlasThreads(1);
  }
  const dump = args.includes('--dump') ? args[args.indexOf('--dump') + 1] : null;

  const SEED = 1234;
  manualSeed(SEED);
  const TEXT = new data.Field({ tokenize: 'spacy' });
  const LABEL = new data.LabelField({ dtype: 'float32' });
  const opts = /\.(tar\.gz|tgz|tar)$/.test(source) ? { archive: source } : { path: source };
  const [full, test] = await data.IMDB.splits(TEXT, LABEL, opts);
  const [trainData, validData] = full.split({ ratio: 0.7, seed: SEED });
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const vocabSize = (TEXT.vocab as data.Vocab).length;
  const iterators = () => data.BucketIterator.splits([trainData, validData, test], { batchSize: 64, device, seed: SEED })[0];

  let padding = 0;
  if (dump) {
    // The same seed gives the same first epoch: write it for the PyTorch side.
    const chunks: Int32Array[] = [];
    const batches: Array<{ len: number; size: number; labels: number[] }> = [];
    let real = 0;
    let total = 0;
    for (const batch of iterators()) {
      const c = batch.collated.text;
      const l = batch.collated.label;
      if (c.kind !== 'sequence' || l.kind !== 'values') throw new Error('unexpected batch layout');
      chunks.push(c.ids);
      batches.push({ len: c.shape[0], size: c.shape[1], labels: Array.from(l.values) });
      real += c.lengths.reduce((a, b) => a + b, 0);
      total += c.ids.length;
      batch.dispose();
    }
    padding = 1 - real / total;
    const all = new Int32Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    fs.writeFileSync(`${dump}.bin`, Buffer.from(all.buffer));
    fs.writeFileSync(`${dump}.json`, JSON.stringify({ vocab_size: vocabSize, device, batches }));
  }

  manualSeed(SEED);
  const model = new models.RNNClassifier(vocabSize, 100, 256, 1).to(device);
  const optimizer = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const criterion = new nn.BCEWithLogitsLoss();
  const it = iterators();
  cuda.synchronize();
  const start = performance.now();
  const r = train(model, it, optimizer, criterion, { progress: false });
  cuda.synchronize();
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ seconds, loss: r.loss, acc: r.acc, batches: it.length, padding, blas: addonInfo.blas.core }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
