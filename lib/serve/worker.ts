// Piscina worker entry: each worker thread loads the bundle once, when the thread starts, and then runs
// batches. The addon keeps its tensor table per Node environment, so every thread owns its model.
import { workerData } from 'worker_threads';
import { setBlasThreads, setFlushDenormal, setNumThreads } from '../index';
import { BatchEngine } from './engine';
import type { BatchOutput } from './engine';

export interface WorkerConfig {
  bundleDir: string;
  device?: string;
  /** libtorch intra-op threads (process-wide; the predictor sets it once, from the first worker). */
  threads?: number;
  maxCachedTokens?: number;
}

export interface WorkerTask {
  texts: string[];
  explain: boolean[];
}

export interface WorkerResult extends BatchOutput {
  /** Milliseconds the batch took in the worker (tokenize + forward). */
  ms: number;
  /** Distinct tokens the worker's tokenizer caches hold after this batch. */
  cachedTokens: number;
}

let engine: BatchEngine | null = null;
let failure: Error | null = null;
const config = workerData as WorkerConfig | undefined;
if (config && typeof config.bundleDir === 'string') {
  try {
    if (config.threads !== undefined) {
      setNumThreads(config.threads);
      // OpenBLAS keeps its own (busy-waiting) thread per core unless told: with several workers on few
      // cores they would fight the workers for the CPU.
      setBlasThreads(config.threads);
    }
    // Per thread (a CPU flag): denormal activations in long recurrences cost ~100x a normal float.
    setFlushDenormal(true);
    engine = new BatchEngine(config.bundleDir, { device: config.device, maxCachedTokens: config.maxCachedTokens });
  } catch (e) {
    // Thrown at the first task (piscina swallows errors thrown while it loads this module).
    failure = e as Error;
  }
}

export default function run(task: WorkerTask): WorkerResult {
  if (failure) throw failure;
  if (!engine) throw new Error('serve worker started without a bundleDir in workerData');
  const t0 = performance.now();
  const out = engine.run(task.texts, task.explain);
  return { ...out, ms: performance.now() - t0, cachedTokens: engine.tokenizer.cachedTokens };
}

/** The bundle's config and what the model can explain: the first task a predictor sends each worker. */
export function describeModel(): { config: BatchEngine['bundle']['config']; explains: boolean } {
  if (failure) throw failure;
  if (!engine) throw new Error('serve worker started without a bundleDir in workerData');
  return { config: engine.bundle.config, explains: engine.explains };
}
