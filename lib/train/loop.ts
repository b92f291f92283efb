// The tutorial's train() and evaluate(), plus fit(): epochs, best-validation checkpoint, final test.
import * as fs from 'fs';
import * as path from 'path';
import { Batch, ProgressBar } from '../data';
import { Module } from '../nn';
import { Optimizer } from '../optim';
import { tidy } from '../scope';
import { save, load } from '../serialize';
import { Tensor, noGrad } from '../tensor';
import { zeros } from '../factories';
import { invalid } from '../validate';
import { binaryAccuracyTensor, epochTime } from './metrics';

/** A model whose forward takes the batch's text (and its lengths, for packed models). */
export interface TextClassifier extends Module {
  forward(text: Tensor, lengths?: Tensor): Tensor;
}

/** Anything that computes a loss from predictions and targets (nn.BCEWithLogitsLoss, ...). */
export interface Criterion {
  forward(input: Tensor, target: Tensor): Tensor;
}

export interface LoopOptions {
  /** Show a progress bar (default: true). Non-TTY streams get a line every few seconds. */
  progress?: boolean;
  /** Label of the progress bar. */
  desc?: string;
  stream?: NodeJS.WritableStream;
}

export interface EpochResult {
  loss: number;
  acc: number;
}

/**
 * @internal The sums of each batch's loss and accuracy over an epoch. Off the CPU they are summed where
 * they are, in float64 (the same sums as adding the float32 values here, in the same order), and read
 * back once: an item() per batch would wait for the device. On the CPU nothing is pending and item()
 * is the cheaper call. `onDevice` forces the choice (tests).
 */
export class BatchSums {
  private loss = 0;
  private acc = 0;
  private onDevice: [Tensor, Tensor] | null = null;
  constructor(private readonly forceOnDevice?: boolean) {}

  add(loss: Tensor, acc: Tensor): void {
    if (!(this.forceOnDevice ?? (loss.device !== 'cpu' || acc.device !== 'cpu'))) {
      this.loss += loss.item() as number;
      this.acc += acc.item() as number;
      return;
    }
    this.onDevice ??= [zeros([], { dtype: 'float64', device: loss.device }), zeros([], { dtype: 'float64', device: acc.device })];
    const [l, a] = this.onDevice;
    noGrad(() => {
      l.add_(loss);
      a.add_(acc);
    });
  }

  /** The sums so far (reading those kept on the device waits for it). */
  read(): EpochResult {
    if (this.onDevice === null) return { loss: this.loss, acc: this.acc };
    return { loss: this.loss + (this.onDevice[0].item() as number), acc: this.acc + (this.onDevice[1].item() as number) };
  }

  dispose(): void {
    if (this.onDevice !== null) for (const t of this.onDevice) t.dispose();
    this.onDevice = null;
  }
}

function predictions(model: TextClassifier, batch: Batch): Tensor {
  // Packed models get `text, text_lengths = batch.text`; others `batch.text` alone.
  const lengths = batch.hasLengths() ? batch.textLengths : undefined;
  const out = lengths ? model.forward(batch.text, lengths) : model.forward(batch.text);
  return out.squeeze(1);
}

function checkArgs(model: unknown, iterator: unknown, criterion: unknown): void {
  if (!(model instanceof Module) || typeof (model as TextClassifier).forward !== 'function') throw invalid('model', 'a Module with forward()', model);
  if (!iterator || typeof (iterator as Iterable<Batch>)[Symbol.iterator] !== 'function') throw invalid('iterator', 'an iterable of batches (BucketIterator)', iterator);
  if (!criterion || typeof (criterion as Criterion).forward !== 'function') throw invalid('criterion', 'a loss module', criterion);
}

function run(
  model: TextClassifier,
  iterator: Iterable<Batch> & { length: number },
  criterion: Criterion,
  step: ((loss: Tensor) => void) | null,
  options: LoopOptions,
): EpochResult {
  const bar = options.progress === false ? null : new ProgressBar({ total: iterator.length, desc: options.desc ?? (step ? 'train' : 'eval'), stream: options.stream });
  const sums = new BatchSums();
  let total: EpochResult = { loss: 0, acc: 0 };
  let n = 0;
  try {
    const batches = iterator[Symbol.iterator]();
    let next = batches.next();
    try {
      while (!next.done) {
        const batch = next.value;
        let results: Tensor[] = [];
        try {
          results = tidy(() => {
            const preds = predictions(model, batch);
            const l = criterion.forward(preds, batch.label);
            const a = binaryAccuracyTensor(preds, batch.label);
            if (step) step(l);
            return [l, a];
          });
          // Make the next batch (numericalize, pad, copy to the device) while the device still runs
          // this step's kernels: nothing here waits for them.
          next = batches.next();
          sums.add(results[0], results[1]);
        } finally {
          for (const t of results) t.dispose();
          batch.dispose();
        }
        n++;
        bar?.tick(1);
      }
    } finally {
      if (!next.done) next.value.dispose(); // a batch made before an error
    }
    total = sums.read();
  } finally {
    bar?.close();
    sums.dispose();
  }
  const batches = iterator.length || n;
  return { loss: total.loss / batches, acc: total.acc / batches };
}

/** One training epoch, as the tutorial's train(): mean loss and accuracy over batches. */
export function train(model: TextClassifier, iterator: Iterable<Batch> & { length: number }, optimizer: Optimizer, criterion: Criterion, options: LoopOptions = {}): EpochResult {
  checkArgs(model, iterator, criterion);
  if (!(optimizer instanceof Optimizer)) throw invalid('optimizer', 'an optimizer (optim.SGD, optim.Adam)', optimizer);
  model.train();
  return run(model, iterator, criterion, (loss) => {
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
  }, options);
}

/** Evaluation without gradients, as the tutorial's evaluate(). */
export function evaluate(model: TextClassifier, iterator: Iterable<Batch> & { length: number }, criterion: Criterion, options: LoopOptions = {}): EpochResult {
  checkArgs(model, iterator, criterion);
  model.eval();
  return noGrad(() => run(model, iterator, criterion, null, options));
}

export interface EpochRecord {
  epoch: number;
  train: EpochResult;
  valid: EpochResult;
  seconds: number;
  /** The training part of `seconds` (the rest is the validation pass). */
  trainSeconds: number;
  best: boolean;
}

export interface FitOptions extends LoopOptions {
  epochs: number;
  /** Where the best-validation-loss weights are saved (a Python-readable state dict). */
  checkpoint: string;
  /** Called after each epoch (the tutorial prints three lines here). */
  onEpoch?: (record: EpochRecord) => void;
}

/**
 * The tutorial's loop: train, evaluate, keep the weights with the best validation loss in
 * `checkpoint`, and finally reload them. Returns the per-epoch records.
 */
export function fit(
  model: TextClassifier,
  iterators: { train: Iterable<Batch> & { length: number }; valid: Iterable<Batch> & { length: number } },
  optimizer: Optimizer,
  criterion: Criterion,
  options: FitOptions,
): EpochRecord[] {
  const records: EpochRecord[] = [];
  let bestValidLoss = Infinity;
  // A wrapper (DistributedDataParallel) checkpoints the module it wraps, under the module's own names,
  // as PyTorch users save ddp.module.state_dict().
  const inner = (model as { module?: unknown }).module;
  const weights: Module = inner instanceof Module ? inner : model;
  fs.mkdirSync(path.dirname(path.resolve(options.checkpoint)), { recursive: true });
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = performance.now();
    const trainResult = train(model, iterators.train, optimizer, criterion, { ...options, desc: `epoch ${epoch} train` });
    const trainEnd = performance.now();
    const validResult = evaluate(model, iterators.valid, criterion, { ...options, desc: `epoch ${epoch} valid` });
    const end = performance.now();
    const best = validResult.loss < bestValidLoss;
    if (best) {
      bestValidLoss = validResult.loss;
      save(weights.stateDict(), options.checkpoint);
    }
    const record = { epoch, train: trainResult, valid: validResult, seconds: (end - start) / 1000, trainSeconds: (trainEnd - start) / 1000, best };
    records.push(record);
    options.onEpoch?.(record);
  }
  loadCheckpoint(weights, options.checkpoint);
  return records;
}

/** Loads a state-dict file into the model (strict) and frees the loaded copies. */
export function loadCheckpoint(model: Module, file: string): void {
  const sd = load(file);
  try {
    model.loadStateDict(sd);
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}

export { epochTime };
