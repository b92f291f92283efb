export { binaryAccuracy, epochTime } from './metrics';
export { train, evaluate, fit, loadCheckpoint } from './loop';
export type { TextClassifier, Criterion, LoopOptions, EpochResult, EpochRecord, FitOptions } from './loop';
export { predictSentiment, numericalize } from './predict';
export type { PredictOptions, TextPipeline } from './predict';
export { saveBundle, loadBundle, vocabFromItos, BUNDLE_FORMAT } from './bundle';
export type { BundleConfig, LoadedBundle } from './bundle';
export { writeMetrics, writePlot, plotSvg, metricsFrom } from './report';
export type { Metrics } from './report';
