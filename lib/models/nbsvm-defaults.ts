// The NBSVM model's settings, apart from the model so the CLI can show its defaults without loading
// libtorch.

/** Everything an NBSVM run needs: the features' settings and the training's. */
export interface NbsvmSettings {
  ngrams: number;
  minCount: number;
  alpha: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  dropout: number;
  weightInit: number;
  interpolation: number;
  schedule: 'constant' | 'cosine';
}

/** Defaults, chosen on the tutorial's validation split (docs/benchmarks.md, "NBSVM"). */
export const NBSVM_DEFAULTS: Readonly<NbsvmSettings> = Object.freeze({ ngrams: 3, minCount: 2, alpha: 1, epochs: 2, batchSize: 64, lr: 3e-3, weightDecay: 0, dropout: 0, weightInit: 0.02, interpolation: 1, schedule: 'cosine' });
