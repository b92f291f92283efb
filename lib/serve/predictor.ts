// createPredictor: a bundle served from worker threads with dynamic batching. The main thread only
// checks inputs, queues them and hands batches to a piscina pool; tokenizing and the forward pass run
// in the workers, so a service's event loop stays free while the model is busy.
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import { Piscina } from 'piscina';
import { Batcher } from './batcher';
import type { Contribution } from './engine';
import { ServeError, describe } from './errors';
import { DEFAULT_MAX_CHARS, checkPositiveInt, checkText } from './limits';
import type { WorkerConfig, WorkerResult, WorkerTask } from './worker';

export interface PredictorOptions {
  /** Where the model runs: 'cpu' (default), 'cuda', 'cuda:N'. */
  device?: string;
  /** Worker threads, each holding its own copy of the model (default 1). */
  workers?: number;
  /** Most texts in one forward pass (default 32). */
  maxBatchSize?: number;
  /** Longest a text waits for others to join its batch while another batch runs (default 1 ms; an idle pool starts at once). */
  maxDelayMs?: number;
  /** Longest text accepted, in UTF-16 code units (default 100,000). */
  maxChars?: number;
  /** Texts waiting for a worker before predict rejects with QUEUE_FULL (default 1024). */
  maxQueue?: number;
  /** libtorch intra-op threads (process-wide, default 1: parallelism comes from the workers). */
  threads?: number;
  /** Distinct tokens a worker's tokenizer caches may hold before they start afresh (default vocabulary + 50,000). */
  maxCachedTokens?: number;
}

export interface PredictOptions {
  signal?: AbortSignal;
  /** Ask for per-token contributions (FastText bundles; others answer without them). */
  explain?: boolean;
}

export interface Prediction {
  label: string;
  /** Probability of labels[1] (the positive label), as LoadedBundle.predict. */
  probability: number;
  /** Each label's probability. */
  probabilities: Record<string, number>;
  /** With explain on a FastText bundle: each token and its share of the logit. */
  contributions?: Contribution[];
}

export interface PredictorInfo {
  model: string;
  labels: string[];
  tokenizer: string;
  /** Whether predictions can carry per-token contributions. */
  explains: boolean;
  workers: number;
  maxBatchSize: number;
  maxChars: number;
  maxQueue: number;
}

export interface BatchEvent {
  size: number;
  /** Texts still waiting when the batch left. */
  queued: number;
}

export interface Predictor extends EventEmitter {
  readonly info: PredictorInfo;
  /** Texts waiting for a worker. */
  readonly queueLength: number;
  predict(text: string, options?: PredictOptions): Promise<Prediction>;
  predictBatch(texts: string[], options?: PredictOptions): Promise<Prediction[]>;
  /** Stops taking texts, answers every queued one, then ends the workers (and their models). */
  close(): Promise<void>;
}

interface Item {
  text: string;
  explain: boolean;
}

/** The worker's compiled .js next to this file, or (running from sources) the .ts with the TS hook. */
function workerEntry(): { filename: string; execArgv?: string[] } {
  const js = path.join(__dirname, 'worker.js');
  if (fs.existsSync(js)) return { filename: js }; // the parent's execArgv, as Node passes it by default
  const register = path.join(__dirname, '..', '..', 'scripts', 'register-ts.js');
  return { filename: path.join(__dirname, 'worker.ts'), execArgv: ['-r', register] };
}

function checkBundleDir(dir: unknown): string {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`Expected a bundle folder path for bundleDir but received ${describe(dir)}`);
  const config = path.join(dir, 'config.json');
  if (!fs.existsSync(config)) throw new ServeError('WORKER_FAILED', `${config} is missing: not a model bundle folder (expected model.pt, vocab.json, config.json)`);
  return path.resolve(dir);
}

export async function createPredictor(bundleDir: string, options: PredictorOptions = {}): Promise<Predictor> {
  const dir = checkBundleDir(bundleDir);
  if (options === null || typeof options !== 'object') throw new TypeError(`Expected an object for options but received ${describe(options)}`);
  const known = ['device', 'workers', 'maxBatchSize', 'maxDelayMs', 'maxChars', 'maxQueue', 'threads', 'maxCachedTokens'];
  for (const k of Object.keys(options)) if (!known.includes(k)) throw new TypeError(`createPredictor: unknown option '${k}' (expected one of ${known.join(', ')})`);
  const workers = checkPositiveInt('options.workers', options.workers, 1);
  const maxBatchSize = checkPositiveInt('options.maxBatchSize', options.maxBatchSize, 32);
  const maxDelayMs = checkPositiveInt('options.maxDelayMs', options.maxDelayMs, 1, 0);
  const maxChars = checkPositiveInt('options.maxChars', options.maxChars, DEFAULT_MAX_CHARS);
  const maxQueue = checkPositiveInt('options.maxQueue', options.maxQueue, 1024);
  const threads = checkPositiveInt('options.threads', options.threads, 1);
  const maxCachedTokens = options.maxCachedTokens === undefined ? undefined : checkPositiveInt('options.maxCachedTokens', options.maxCachedTokens, 0);
  const device = options.device ?? 'cpu';
  if (typeof device !== 'string' || !/^(cpu|cuda(:\d+)?)$/.test(device)) throw new TypeError(`Expected 'cpu', 'cuda' or 'cuda:N' for options.device but received ${describe(device)}`);

  const entry = workerEntry();
  const workerData: WorkerConfig = { bundleDir: dir, device, threads, maxCachedTokens };
  const pool = new Piscina({
    filename: entry.filename,
    execArgv: entry.execArgv,
    workerData,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: Infinity,
    concurrentTasksPerWorker: 1,
  });
  // A worker that dies is replaced by piscina; its batch rejects. Without a listener the error would be rethrown.
  pool.on('error', () => {});

  let described: { config: { model: { model: string }; labels: string[]; tokenizer: string }; explains: boolean };
  try {
    // One task per worker (concurrentTasksPerWorker 1): every worker has loaded the bundle when this resolves.
    const all = await Promise.all(Array.from({ length: workers }, () => pool.run(null, { name: 'describeModel' })));
    described = all[0];
  } catch (e) {
    await pool.destroy();
    throw new ServeError('WORKER_FAILED', `could not load the bundle ${dir} in a worker: ${(e as Error).message}`, { cause: e });
  }
  const labels = described.config.labels;
  const info: PredictorInfo = { model: described.config.model.model, labels, tokenizer: described.config.tokenizer, explains: described.explains, workers, maxBatchSize, maxChars, maxQueue };

  const emitter = new EventEmitter();
  const batcher = new Batcher<Item, Prediction>({
    maxBatchSize,
    maxDelayMs,
    maxQueue,
    concurrency: workers,
    onBatch: (size, queued) => emitter.emit('batch', { size, queued } satisfies BatchEvent),
    run: async (items) => {
      const task: WorkerTask = { texts: items.map((i) => i.text), explain: items.map((i) => i.explain) };
      let out: WorkerResult;
      try {
        out = (await pool.run(task)) as WorkerResult;
      } catch (e) {
        throw new ServeError('WORKER_FAILED', `the worker failed: ${(e as Error).message}`, { cause: e });
      }
      return items.map((_, i) => {
        const p = out.probabilities[i];
        const prediction: Prediction = { label: labels[p >= 0.5 ? 1 : 0], probability: p, probabilities: { [labels[0]]: 1 - p, [labels[1]]: p } };
        const c = out.contributions[i];
        if (c) prediction.contributions = c;
        return prediction;
      });
    },
  });

  let closed: Promise<void> | null = null;
  const predictor = Object.assign(emitter, {
    info,
    get queueLength() {
      return batcher.queued;
    },
    predict(text: string, o: PredictOptions = {}): Promise<Prediction> {
      try {
        checkText('text', text, maxChars);
      } catch (e) {
        return Promise.reject(e);
      }
      return batcher.submit({ text, explain: o?.explain === true }, o?.signal);
    },
    async predictBatch(texts: string[], o: PredictOptions = {}): Promise<Prediction[]> {
      if (!Array.isArray(texts)) throw new ServeError('INVALID_TEXT', `Expected an array of strings for texts but received ${describe(texts)}`);
      if (texts.length === 0) throw new ServeError('INVALID_TEXT', 'Expected at least one text in texts but received an empty array');
      if (texts.length > maxQueue) throw new ServeError('INVALID_TEXT', `Expected at most ${maxQueue} texts (maxQueue) in texts but received ${texts.length}`);
      texts.forEach((t, i) => checkText(`texts[${i}]`, t, maxChars));
      return Promise.all(texts.map((text) => batcher.submit({ text, explain: o?.explain === true }, o?.signal)));
    },
    close(): Promise<void> {
      closed ??= batcher.drain().then(() => pool.destroy());
      return closed;
    },
  });
  return predictor as Predictor;
}
