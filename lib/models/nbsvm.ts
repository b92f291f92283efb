// NBSVM-style sentiment model: binarized uni/bi/trigram features scaled by their Naive Bayes log-count
// ratios, summed by an EmbeddingBag (one learned weight per n-gram) and a Linear layer; trained with
// Adam. The weights start at a constant, so the untrained model is Naive Bayes (scaled), and training
// moves them away from it (Wang & Manning 2012's interpolation, learned instead of fixed).
import { RandomGenerator } from '../data/random';
import { TorchError } from '../errors';
import { load, save } from '../serialize';
import * as nn from '../nn';
import * as optim from '../optim';
import { tidy } from '../scope';
import { tensor } from '../factories';
import { Tensor, noGrad } from '../tensor';
import { checkInteger, checkKeys, checkNumber, checkObject, checkOneOf, invalid } from '../validate';
import { NgramFeatures } from './ngrams';
import { NBSVM_DEFAULTS } from './nbsvm-defaults';
export { NBSVM_DEFAULTS };
export type { NbsvmSettings } from './nbsvm-defaults';

/** Feature ids of texts, concatenated: text i's ids are ids[starts[i] .. starts[i + 1]). */
export interface FeatureBags {
  ids: Int32Array;
  starts: Int32Array;
}

export function bagsOf(docs: readonly Int32Array[]): FeatureBags {
  const starts = new Int32Array(docs.length + 1);
  for (let i = 0; i < docs.length; i++) starts[i + 1] = starts[i] + docs[i].length;
  const ids = new Int32Array(starts[docs.length]);
  docs.forEach((d, i) => ids.set(d, starts[i]));
  return { ids, starts };
}

export class NBSVM extends nn.Module {
  embedding: nn.EmbeddingBag;
  fc: nn.Linear;
  /** The n-gram vocabulary and ratios (not parameters: bundles keep them in features.pt). */
  features: NgramFeatures | null = null;

  /**
   * embeddingDim 1 (the default) is the linear model; more columns start equal (every weight at
   * weightInit), so they only differ if something else breaks the symmetry.
   */
  constructor(numFeatures: number, options: { weightInit?: number; embeddingDim?: number } = {}) {
    super();
    const dim = checkInteger('options.embeddingDim', options.embeddingDim ?? 1, 1);
    this.embedding = new nn.EmbeddingBag(numFeatures, dim, { mode: 'sum' });
    this.fc = new nn.Linear(dim, 1);
    const w0 = checkNumber('options.weightInit', options.weightInit ?? NBSVM_DEFAULTS.weightInit);
    noGrad(() => {
      this.embedding.weight.fill_(w0);
      this.fc.weight.fill_(1);
      this.fc.bias?.fill_(0);
    });
  }

  /** ids (1-d, int32 or int64), offsets (where each text starts), ratios of the ids -> logits [texts, 1] */
  forward(input: Tensor, offsets?: Tensor, perSampleWeights?: Tensor): Tensor {
    return tidy(() => this.fc.forward(this.embedding.forward(input, offsets, perSampleWeights)));
  }

  /** Logits [texts, 1] of `bags` rows `rows` (all by default), features dropped with probability `dropout`. */
  forwardBags(bags: FeatureBags, rows?: ArrayLike<number>, dropout = 0, rng?: RandomGenerator): Tensor {
    const f = this.requireFeatures();
    checkNumber('dropout', dropout, { min: 0, max: 0.99 });
    if (dropout > 0 && !(rng instanceof RandomGenerator)) throw invalid('rng', 'a RandomGenerator when dropout > 0', rng);
    const order = rows ?? Array.from({ length: bags.starts.length - 1 }, (_, i) => i);
    let total = 0;
    for (let i = 0; i < order.length; i++) total += bags.starts[order[i] + 1] - bags.starts[order[i]];
    const ids = new Int32Array(total);
    const weights = new Float32Array(total);
    const offsets = new Int32Array(order.length);
    const keep = 1 - dropout;
    let m = 0;
    for (let i = 0; i < order.length; i++) {
      offsets[i] = m;
      for (let j = bags.starts[order[i]]; j < bags.starts[order[i] + 1]; j++) {
        const id = bags.ids[j];
        if (dropout > 0 && (rng as RandomGenerator).next() < dropout) continue; // rng checked above
        ids[m] = id;
        weights[m++] = f.ratios[id] / keep;
      }
    }
    const device = this.embedding.weight.device;
    return tidy(() =>
      this.forward(tensor(ids.subarray(0, m), { device }), tensor(offsets, { device }), tensor(weights.subarray(0, m), { device })),
    );
  }

  /** Logits [texts, 1] of tokenized texts. */
  forwardTexts(texts: ReadonlyArray<readonly string[]>): Tensor {
    const f = this.requireFeatures();
    return this.forwardBags(bagsOf(texts.map((t) => f.ids(t))));
  }

  private requireFeatures(): NgramFeatures {
    if (!this.features) throw invalid('model.features', 'the n-gram features (NBSVM.fit, or a bundle)', this.features);
    return this.features;
  }
}

export interface NbsvmTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** Probability of dropping each feature occurrence while training. */
  dropout?: number;
  /** The weights' starting value: the Naive Bayes prior's strength. */
  weightInit?: number;
  /**
   * NBSVM's interpolation after training: each n-gram weight w becomes (1 - beta) * mean(w) + beta * w,
   * pulling the model back toward (scaled) Naive Bayes. 1 (default) keeps the trained weights.
   */
  interpolation?: number;
  /** Learning-rate schedule over all the steps: 'constant' or 'cosine' (annealed to 0). */
  schedule?: 'constant' | 'cosine';
  seed?: number;
  /** After each epoch, with the validation accuracy when `valid` is given. */
  onEpoch?: (epoch: number, info: { trainLoss: number; validLoss?: number; validAcc?: number; seconds: number }) => void;
}

const TRAIN_KEYS = ['epochs', 'batchSize', 'lr', 'weightDecay', 'dropout', 'weightInit', 'interpolation', 'schedule', 'seed', 'onEpoch'];

/** Moves the n-gram weights toward their mean: w <- (1 - beta) * mean(w) + beta * w (NBSVM's interpolation). */
export function interpolate(model: NBSVM, beta: number): void {
  checkNumber('beta', beta, { min: 0, max: 1 });
  if (beta === 1) return;
  noGrad(() =>
    tidy(() => {
      const w = model.embedding.weight;
      const mean = w.mean().item() as number;
      w.mul_(beta).add_((1 - beta) * mean);
    }),
  );
}

/** Mean BCE-with-logits loss and accuracy of the model on bags with 0/1 labels. */
export function evaluateBags(model: NBSVM, bags: FeatureBags, labels: ArrayLike<number>, batchSize = 4096): { loss: number; acc: number } {
  model.eval();
  let right = 0;
  let loss = 0;
  const n = bags.starts.length - 1;
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
      const logits = tidy(() => model.forwardBags(bags, rows).reshape([-1]).toTypedArray() as Float32Array);
      rows.forEach((r, i) => {
        const z = logits[i];
        const y = labels[r];
        if ((z > 0 ? 1 : 0) === y) right++;
        loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      });
    }
  });
  return { loss: loss / n, acc: right / n };
}

/** Accuracy of the model on bags with 0/1 labels. */
export function accuracyOf(model: NBSVM, bags: FeatureBags, labels: ArrayLike<number>, batchSize = 4096): number {
  return evaluateBags(model, bags, labels, batchSize).acc;
}

/**
 * Writes the n-gram vocabulary (`keys`, the 32-bit hashes as int32) and `ratios` as a state-dict file
 * (features.pt in a bundle), which Python's torch.load reads too.
 */
export function saveFeatures(features: NgramFeatures, file: string): void {
  const keys = tensor(new Int32Array(features.keys.buffer, features.keys.byteOffset, features.keys.length));
  const ratios = tensor(features.ratios);
  try {
    save({ keys, ratios }, file);
  } finally {
    keys.dispose();
    ratios.dispose();
  }
}

/** Reads what saveFeatures wrote; `expected` is the model's feature count. */
export function loadFeatures(file: string, ngrams: number, expected: number): NgramFeatures {
  const sd = load(file);
  try {
    const { keys, ratios } = sd;
    if (!keys || !ratios || keys.dtype !== 'int32' || ratios.dtype !== 'float32' || keys.ndim !== 1 || ratios.ndim !== 1) {
      throw new TorchError(`${file}: expected int32 'keys' and float32 'ratios' vectors (an NBSVM bundle's features)`);
    }
    if (keys.shape[0] !== expected || ratios.shape[0] !== expected) throw new TorchError(`${file} has ${keys.shape[0]} keys and ${ratios.shape[0]} ratios but the model has ${expected} features`);
    const k = keys.toTypedArray() as Int32Array;
    return new NgramFeatures(ngrams, new Uint32Array(k.buffer, k.byteOffset, k.length), ratios.toTypedArray() as Float32Array);
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}

/**
 * Trains an NBSVM on feature bags (their ratios in `features`) with Adam and BCE-with-logits.
 * `valid` (bags and labels), when given, is scored after each epoch.
 */
export function trainNbsvm(
  features: NgramFeatures,
  train: { bags: FeatureBags; labels: ArrayLike<number> },
  options: NbsvmTrainOptions = {},
  valid?: { bags: FeatureBags; labels: ArrayLike<number> },
): NBSVM {
  const o = checkObject('options', options);
  checkKeys('trainNbsvm', o, TRAIN_KEYS);
  const epochs = checkInteger('options.epochs', o.epochs ?? NBSVM_DEFAULTS.epochs, 1);
  const batchSize = checkInteger('options.batchSize', o.batchSize ?? NBSVM_DEFAULTS.batchSize, 1);
  const lr = checkNumber('options.lr', o.lr ?? NBSVM_DEFAULTS.lr, { min: 0 });
  const weightDecay = checkNumber('options.weightDecay', o.weightDecay ?? NBSVM_DEFAULTS.weightDecay, { min: 0 });
  const dropout = checkNumber('options.dropout', o.dropout ?? NBSVM_DEFAULTS.dropout, { min: 0, max: 0.99 });
  const seed = checkInteger('options.seed', o.seed ?? 1234, 0);
  const beta = checkNumber('options.interpolation', o.interpolation ?? NBSVM_DEFAULTS.interpolation, { min: 0, max: 1 });
  const cosine = checkOneOf('options.schedule', o.schedule ?? NBSVM_DEFAULTS.schedule, ['constant', 'cosine'] as const) === 'cosine';
  const n = train.bags.starts.length - 1;
  if (train.labels.length !== n) throw invalid('train.labels', `${n} labels`, train.labels);
  const model = new NBSVM(features.length, { weightInit: o.weightInit as number | undefined });
  model.features = features;
  const optimizer = new optim.Adam(model.parameters(), { lr, weightDecay });
  const criterion = new nn.BCEWithLogitsLoss();
  const rng = new RandomGenerator(seed);
  const steps = epochs * Math.ceil(n / batchSize);
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      model.train();
      const order = rng.permutation(n);
      let lossSum = 0;
      let batches = 0;
      for (let s = 0; s < n; s += batchSize) {
        const rows = order.slice(s, s + batchSize);
        const y = Float32Array.from(rows, (r) => train.labels[r]);
        if (cosine) optimizer.lr = 0.5 * lr * (1 + Math.cos((Math.PI * step) / steps));
        step++;
        lossSum += tidy(() => {
          const logits = model.forwardBags(train.bags, rows, dropout, rng).reshape([-1]);
          const loss = criterion.forward(logits, tensor(y, { device: logits.device }));
          optimizer.zeroGrad();
          loss.backward();
          optimizer.step();
          return loss.item() as number;
        });
        batches++;
      }
      if (epoch === epochs) interpolate(model, beta);
      const v = valid ? evaluateBags(model, valid.bags, valid.labels) : undefined;
      (o.onEpoch as NbsvmTrainOptions['onEpoch'])?.(epoch, { trainLoss: lossSum / batches, validLoss: v?.loss, validAcc: v?.acc, seconds: (performance.now() - t0) / 1000 });
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
  return model;
}

