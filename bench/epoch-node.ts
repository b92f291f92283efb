// Node side of bench/epoch.ts (a child process, so each setting starts fresh): one training epoch (or
// its first --limit-batches batches) of one of the tutorials' models, as a user writes it: IMDB.splits,
// buildVocab, BucketIterator, train(). The time includes making the batches. Prints JSON
// {seconds, loss, acc, batches, ...}. With --dump DIR it first writes, for the PyTorch side, the
// model's initial state dict (save(), read there by torch.load) and the epoch's batches (the same seed
// gives the same epoch). With --profile it runs train()'s steps inline, timing each phase on the host.
import * as fs from 'fs';
import * as path from 'path';
import { addonInfo, cuda, data, manualSeed, models, nn, optim, resolveDevice, save, setBlasThreads, setFlushDenormal, setNumThreads, tidy, train, tuneAllocator } from '../lib';
import type { Batch } from '../lib/data';
import { BatchSums } from '../lib/train/loop';
import { binaryAccuracyTensor } from '../lib/train/metrics';

const SEED = 1234;

/** Tutorial 3's generate_bigrams: the tokens, then each distinct bigram once (first-seen order). */
export function withBigrams(tokens: readonly string[]): string[] {
  const seen = new Set<string>();
  const out = tokens.slice();
  for (let i = 0; i + 1 < tokens.length; i++) {
    const bigram = `${tokens[i]} ${tokens[i + 1]}`;
    if (!seen.has(bigram)) {
      seen.add(bigram);
      out.push(bigram);
    }
  }
  return out;
}

/** The first `limit` batches of `it`'s next epoch, as train() takes them. */
function firstBatches(it: Iterable<Batch> & { length: number }, limit: number): Iterable<Batch> & { length: number } {
  return {
    length: Math.min(limit, it.length),
    *[Symbol.iterator]() {
      let n = 0;
      for (const b of it) {
        yield b;
        if (++n >= limit) return;
      }
    },
  };
}

type Phase = 'batch' | 'forward' | 'zeroGrad' | 'backward' | 'step' | 'item' | 'dispose';

/** train()'s loop (lib/train/loop.ts) inline, with the host time of each phase; same results. */
function profiledEpoch(model: models.SentimentModel, batches: Iterable<Batch> & { length: number }, optimizer: optim.Optimizer, criterion: nn.BCEWithLogitsLoss, itemPerBatch: boolean) {
  const T: Record<Phase, number> = { batch: 0, forward: 0, zeroGrad: 0, backward: 0, step: 0, item: 0, dispose: 0 };
  let now = performance.now();
  const lap = (k: Phase) => {
    const n = performance.now();
    T[k] += n - now;
    now = n;
  };
  model.train();
  // --item-per-batch: each batch's loss and accuracy read back at once everywhere, as train() did.
  const sums = new BatchSums(itemPerBatch ? false : undefined);
  const it = batches[Symbol.iterator]();
  for (let next = it.next(); !next.done; next = it.next()) {
    const b = next.value;
    lap('batch');
    const r = tidy(() => {
      const p = (b.hasLengths() ? (model as models.LSTMClassifier).forward(b.text, b.textLengths) : (model as models.FastText).forward(b.text)).squeeze(1);
      const l = criterion.forward(p, b.label);
      const a = binaryAccuracyTensor(p, b.label);
      lap('forward');
      optimizer.zeroGrad();
      lap('zeroGrad');
      l.backward();
      lap('backward');
      optimizer.step();
      lap('step');
      return [l, a];
    });
    sums.add(r[0], r[1]);
    lap('item');
    r.forEach((x) => x.dispose());
    b.dispose();
    lap('dispose');
  }
  const { loss, acc } = sums.read();
  sums.dispose();
  lap('item');
  return { loss: loss / batches.length, acc: acc / batches.length, phases: Object.fromEntries(Object.entries(T).map(([k, v]) => [k, Math.round(v)])) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
  const source = arg('data') as string;
  const name = (arg('model') ?? 'rnn') as models.ModelName;
  const device = resolveDevice((arg('device') ?? 'cpu') as 'cpu');
  const limit = Number(arg('limit-batches') ?? Infinity);
  if (args.includes('--tuned')) tuneAllocator();
  if (args.includes('--flush')) {
    setFlushDenormal(true);
    setBlasThreads(1);
  }
  if (args.includes('--one-thread')) setNumThreads(1);
  const dump = arg('dump');

  manualSeed(SEED);
  const TEXT = new data.Field({ tokenize: 'spacy', includeLengths: models.needsLengths(name) });
  const LABEL = new data.LabelField({ dtype: 'float32' });
  const opts = /\.(tar\.gz|tgz|tar)$/.test(source) ? { archive: source } : { path: source };
  const [full] = await data.IMDB.splits(TEXT, LABEL, opts);
  if (name === 'fasttext') for (const ex of full.examples as Array<{ text: string[] }>) ex.text = withBigrams(ex.text);
  const [trainData, validData] = full.split({ ratio: 0.7, seed: SEED });
  TEXT.buildVocab(trainData, { maxSize: 25000 });
  LABEL.buildVocab(trainData);
  const vocab = TEXT.vocab as data.Vocab;
  // Tutorial 2 sorts each batch longest first for packing; the others keep the iterator's defaults.
  const iterator = () => data.BucketIterator.splits([trainData, validData], { batchSize: 64, device, seed: SEED, sortWithinBatch: name === 'lstm' })[0];

  manualSeed(SEED);
  const model = models.createModel(models.defaultConfig(name, vocab.length, vocab.stoi.get('<pad>'))).to(device);
  let padding = 0;
  if (dump) {
    fs.mkdirSync(dump, { recursive: true });
    save(model.stateDict(), path.join(dump, 'model.pt'));
    const chunks: Int32Array[] = [];
    const batches: Array<{ shape: number[]; labels: number[]; lengths?: number[] }> = [];
    let real = 0;
    let total = 0;
    for (const c of iterator().numericBatches()) {
      if (batches.length >= limit) break;
      const text = c.text;
      const label = c.label;
      if (text.kind !== 'sequence' || label.kind !== 'values') throw new Error('unexpected batch layout');
      chunks.push(text.ids);
      batches.push({ shape: text.shape, labels: Array.from(label.values), ...(TEXT.includeLengths ? { lengths: Array.from(text.lengths) } : {}) });
      real += text.lengths.reduce((a, b) => a + b, 0);
      total += text.ids.length;
    }
    padding = 1 - real / total;
    const all = new Int32Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    fs.writeFileSync(path.join(dump, 'batches.bin'), Buffer.from(all.buffer));
    fs.writeFileSync(path.join(dump, 'batches.json'), JSON.stringify({ model: models.defaultConfig(name, vocab.length, vocab.stoi.get('<pad>')), device: String(device), seed: SEED, batches }));
  }

  // The tutorials' optimizers: SGD 1e-3 for tutorial 1, Adam's defaults for the others.
  const optimizer = name === 'rnn' ? new optim.SGD(model.parameters(), { lr: 1e-3 }) : new optim.Adam(model.parameters());
  const criterion = new nn.BCEWithLogitsLoss();
  const it = iterator();
  const batches = Number.isFinite(limit) ? firstBatches(it, limit) : it;
  manualSeed(SEED); // dropout's masks: the same draws as PyTorch's after torch.manual_seed
  cuda.synchronize();
  const start = performance.now();
  const r = args.includes('--profile') ? profiledEpoch(model, batches, optimizer, criterion, args.includes('--item-per-batch')) : train(model, batches, optimizer, criterion, { progress: false });
  cuda.synchronize();
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ ...r, seconds, batches: batches.length, padding, blas: addonInfo.blas.core }));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
