// The CLI's commands over the public API: the same steps as examples/seed-rnn.ts, for every model.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as distributed from '../distributed';
import { BucketIterator, Field, IMDB, LabelField, Vectors, generateBigrams } from '../data';
import type { Dataset, ImdbExample, ImdbOptions, TokenizerName, Vocab } from '../data';
import { resolveDevice } from '../device';
import { createModel, defaultConfig, needsLengths, NBSVM } from '../models';
import { runEvaluateNbsvm, runTrainNbsvm } from './nbsvm';
import type { ModelName } from '../models';
import { addonInfo } from '../native';
import * as nn from '../nn';
import * as optim from '../optim';
import { getNumThreads, manualSeed, setBlasThreads, setFlushDenormal, setNumThreads, tuneAllocator } from '../runtime';
import { noGrad } from '../tensor';
import { evaluate, fit } from '../train/loop';
import type { TextClassifier } from '../train/loop';
import { loadBundle, saveBundle, vocabFromItos } from '../train/bundle';
import { metricsFrom, writeMetrics, writePlot } from '../train/report';

export interface TrainSettings {
  model: ModelName;
  epochs: number;
  batchSize: number;
  vocabSize: number;
  lr: number;
  optimizer: 'sgd' | 'adam';
  seed: number;
  tokenizer: TokenizerName;
  out: string;
  data?: string;
  device: string;
  threads?: number;
  progress: boolean;
  /** nbsvm: train on all the training reviews (no validation split). */
  fullTrain?: boolean;
  /** Pretrained word vectors (a file or URL) for the embedding, as tutorial 2. */
  vectors?: string;
}

export function source(data: string | undefined): ImdbOptions {
  if (data === undefined) return {};
  return /\.(tar\.gz|tgz|tar)$/.test(data) ? { archive: data } : { path: data };
}

/** CPU settings for training (README, "Speed on the CPU"): see tuneAllocator, setFlushDenormal, setBlasThreads. */
export function setUp(threads: number | undefined): void {
  if (threads !== undefined) setNumThreads(threads);
  tuneAllocator();
  setFlushDenormal(true);
  setBlasThreads(getNumThreads());
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** WORLD_SIZE when this process is one rank of a launched job (torch-sentiment launch, torchrun), else 1. */
export function launchedWorldSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.WORLD_SIZE);
  return env.MASTER_ADDR && Number.isInteger(n) && n > 1 ? n : 1;
}

export async function runTrain(s: TrainSettings): Promise<void> {
  if (s.model === 'nbsvm') return runTrainNbsvm(s);
  const t0 = performance.now();
  setUp(s.threads);
  // One rank of a data-parallel job (train --nproc N): join the group first, so a missing peer fails
  // before minutes of data loading.
  const world = launchedWorldSize();
  if (world > 1) await distributed.initProcessGroup({ backend: 'gloo' });
  const rank = world > 1 ? distributed.getRank() : 0;
  // Rank 0 alone reports and writes the run's files; the others train in step, silently.
  const log = rank === 0 ? console.log : () => {};
  if (rank !== 0) s = { ...s, progress: false };
  manualSeed(s.seed);
  const lengths = needsLengths(s.model);
  // The FastText tutorial adds each review's bigrams to its tokens.
  const bigrams = s.model === 'fasttext';
  const TEXT = new Field({ tokenize: s.tokenizer, includeLengths: lengths, preprocessing: bigrams ? generateBigrams : null });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [full, testData] = await IMDB.splits(TEXT, LABEL, source(s.data));
  const [trainData, validData] = full.split({ ratio: 0.7, seed: s.seed });
  const vectors = s.vectors === undefined ? undefined : await Vectors.load(s.vectors, { progress: s.progress });
  // Tutorial 2: words without a pretrained vector start from N(0, 1).
  TEXT.buildVocab(trainData, { maxSize: s.vocabSize, ...(vectors ? { vectors, unkInit: 'normal' as const } : {}) });
  LABEL.buildVocab(trainData);
  const vocab = TEXT.vocab as Vocab;
  const labels = (LABEL.vocab as Vocab).itos;
  const device = resolveDevice(s.device as 'auto');
  // Data-parallel, validation and test run whole on every rank in batches of world x batchSize, as
  // the one process that the ranks together stand for would (padding changes what FastText, the seed
  // RNN and the CNN compute).
  const evalBatch = s.batchSize * world;
  const [trainIt, validIt, testIt] = BucketIterator.splits([trainData, validData, testData] as Array<Dataset<ImdbExample>>, {
    batchSizes: [s.batchSize, evalBatch, evalBatch],
    device,
    seed: s.seed,
    sortWithinBatch: lengths,
  });
  // Data-parallel: each rank takes its stride of every global batch of world x batchSize that one
  // process would make (the same shuffles): N ranks of batch B train as one process of batch N x B,
  // and every rank takes the same number of steps. Valid and test stay whole on every rank.
  const trainIter = world > 1 ? new BucketIterator(trainData as Dataset<ImdbExample>, { batchSize: s.batchSize, device, seed: s.seed, sortWithinBatch: lengths, train: true, shard: { rank, worldSize: world, by: 'batches' } }) : trainIt;
  log(`data: ${trainData.length} train / ${validData.length} valid / ${testData.length} test, vocabulary ${vocab.length}, labels ${JSON.stringify(labels)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const config = defaultConfig(s.model, vocab.length, vocab.stoi.get('<pad>'));
  if (vectors) config.embeddingDim = vectors.dim;
  const model = createModel(config);
  if (vocab.vectors) {
    // As tutorial 2: copy the vectors into the embedding, then zero the <unk> and <pad> rows.
    const pretrained = vocab.vectors;
    const embedding = (model as { embedding: nn.Embedding }).embedding;
    noGrad(() => {
      embedding.weight.copy_(pretrained);
      for (const special of ['<unk>', '<pad>']) if (vocab.stoi.has(special)) embedding.weight.indexPut_([vocab.stoi.get(special)], 0);
    });
    pretrained.dispose();
    log(`vectors: ${vectors?.length.toLocaleString('en-US')} of dimension ${vectors?.dim} from ${s.vectors}, ${vocab.itos.filter((w) => vectors?.stoi.has(w)).length.toLocaleString('en-US')} of the vocabulary's words found`);
  }
  model.to(device);
  log(`model: ${s.model}, ${nn.countParameters(model).toLocaleString('en-US')} trainable parameters, on ${device}${world > 1 ? `, ${world} processes (DistributedDataParallel, ${trainIter.length} batches each per epoch)` : ''}`);
  // DDP starts every rank from rank 0's weights and averages the gradients in backward().
  const ddp = world > 1 ? new distributed.DistributedDataParallel(model) : null;
  const optimizer = s.optimizer === 'sgd' ? new optim.SGD(model.parameters(), { lr: s.lr }) : new optim.Adam(model.parameters(), { lr: s.lr });
  const criterion = new nn.BCEWithLogitsLoss();
  // Every rank holds the same weights, but only rank 0 writes the run's checkpoint.
  const checkpoint = rank === 0 ? path.join(s.out, 'model-best.pt') : path.join(os.tmpdir(), `torch-sentiment-rank${rank}-${process.pid}.pt`);
  const records = fit((ddp ?? model) as TextClassifier, { train: trainIter, valid: validIt }, optimizer, criterion, {
    epochs: s.epochs,
    checkpoint,
    progress: s.progress,
    onEpoch: (r) =>
      log(`epoch ${r.epoch}: train loss ${r.train.loss.toFixed(3)} acc ${pct(r.train.acc)} | valid loss ${r.valid.loss.toFixed(3)} acc ${pct(r.valid.acc)} | ${r.seconds.toFixed(1)} s (train ${r.trainSeconds.toFixed(1)} s)${r.best ? ' (best)' : ''}`),
  });
  if (rank !== 0) fs.rmSync(checkpoint, { force: true });
  ddp?.dispose();
  const test = evaluate(model, testIt, criterion, { progress: s.progress, desc: 'test' });
  log(`test: loss ${test.loss.toFixed(3)} acc ${pct(test.acc)}`);
  if (rank !== 0) {
    model.dispose();
    optimizer.dispose();
    distributed.destroyProcessGroup();
    return;
  }
  saveBundle(path.join(s.out, 'bundle'), { model, config, vocab, labels, tokenizer: s.tokenizer, lower: false, ...(bigrams ? { preprocessing: 'bigrams' as const } : {}) });
  const epochs = metricsFrom(records);
  writeMetrics(path.join(s.out, 'metrics.json'), {
    epochs,
    test,
    settings: { ...s, progress: undefined, ...(world > 1 ? { worldSize: world } : {}) },
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    versions: { library: (require('../../package.json') as { version: string }).version, libtorch: addonInfo.libtorchVersion, blas: addonInfo.blas.core },
    device,
    totalSeconds: (performance.now() - t0) / 1000,
  });
  writePlot(path.join(s.out, 'curves.svg'), epochs);
  console.log(`saved ${path.join(s.out, 'bundle')} (predict with: torch-sentiment predict --model-dir ${path.join(s.out, 'bundle')} "some text"), metrics.json, curves.svg`);
  model.dispose();
  optimizer.dispose();
  if (world > 1) distributed.destroyProcessGroup();
}

export async function runEvaluate(s: { dir: string; data?: string; device: string; batchSize: number; threads?: number; progress: boolean }): Promise<void> {
  setUp(s.threads);
  const device = resolveDevice(s.device as 'auto');
  const bundle = loadBundle(s.dir, { device });
  if (bundle.model instanceof NBSVM) return runEvaluateNbsvm(bundle.model, bundle.config, s);
  const lengths = needsLengths(bundle.config.model.model);
  const TEXT = new Field({ tokenize: bundle.config.tokenizer, includeLengths: lengths, preprocessing: bundle.config.preprocessing === 'bigrams' ? generateBigrams : null });
  const LABEL = new LabelField({ dtype: 'float32' });
  const [, testData] = await IMDB.splits(TEXT, LABEL, source(s.data));
  TEXT.vocab = bundle.vocab;
  LABEL.vocab = vocabFromItos(bundle.config.labels, []);
  const [testIt] = BucketIterator.splits([testData], { batchSize: s.batchSize, device, sortWithinBatch: lengths });
  const test = evaluate(bundle.model, testIt, new nn.BCEWithLogitsLoss(), { progress: s.progress, desc: 'test' });
  console.log(`test: ${testData.length} reviews, loss ${test.loss.toFixed(3)}, acc ${pct(test.acc)} (${s.dir}, ${device})`);
  bundle.model.dispose();
}

export function runPredict(s: { dir: string; text: string; device: string; threads?: number }): void {
  setUp(s.threads);
  const bundle = loadBundle(s.dir, { device: resolveDevice(s.device as 'auto') });
  const { probability, label } = bundle.predict(s.text);
  console.log(`${probability.toFixed(4)} ${label}`);
  bundle.model.dispose();
}
