/**
 * torch-sentiment: PyTorch-style tensors, modules, optimizers and the IMDb sentiment pipeline for
 * Node.js, over libtorch.
 *
 * The public API, by name: what is not listed here (wrap, the CUDA index guard, the addon binding)
 * is internal. test/types/index.test-d.ts checks this surface.
 */
export { Tensor, liveTensors, noGrad, isGradEnabled } from './tensor';
export type { TensorOrScalar, NestedArray, IndexSpec, TensorOptions } from './tensor';
export { tensor, zeros, ones, empty, full, randn, rand, randint, arange, zerosLike, onesLike, cat, stack, where } from './factories';
export { manualSeed, setNumThreads, getNumThreads, setFlushDenormal, setBlasThreads, tuneAllocator } from './runtime';
export { Device, device, cuda, resolveDevice, backends } from './device';
export type { DeviceLike } from './device';
export { DTYPES } from './dtype';
export type { DType, TypedArray } from './dtype';
export { TorchError, CheckpointError } from './errors';
export type { CheckpointErrorCode } from './errors';
export { LoadError, addonInfo } from './native';
export { tidy, keep } from './scope';
export * as nn from './nn';
export * as optim from './optim';
export { save, load } from './serialize';
export type { SaveOptions, LoadOptions, CheckpointDict, CheckpointValue, CheckpointFormat } from './serialize';
export * as data from './data';
export * as models from './models';
export * as distributed from './distributed';
export { binaryAccuracy, epochTime, train, evaluate, fit, loadCheckpoint, predictSentiment, numericalize } from './train';
export { saveBundle, loadBundle, vocabFromItos, BUNDLE_FORMAT, writeMetrics, writePlot, plotSvg, metricsFrom } from './train';
export type { TextClassifier, Criterion, LoopOptions, EpochResult, EpochRecord, FitOptions, PredictOptions, TextPipeline } from './train';
export type { BundleConfig, LoadedBundle, Metrics } from './train';
