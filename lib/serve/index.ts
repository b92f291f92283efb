/**
 * Serving a trained bundle: `createPredictor` (worker threads, dynamic batching), `sentimentPlugin`
 * for an existing Fastify app, and `startServer` behind `torch-sentiment serve`.
 */
export { createPredictor } from './predictor';
export type { Predictor, PredictorOptions, PredictOptions, Prediction, PredictorInfo, BatchEvent } from './predictor';
export type { Contribution } from './engine';
export { ServeError } from './errors';
export type { ServeErrorCode } from './errors';
export { DEFAULT_MAX_CHARS } from './limits';
export { sentimentPlugin } from './plugin';
export type { SentimentPluginOptions } from './plugin';
export { createMetrics } from './metrics';
export type { ServeMetrics } from './metrics';
export { buildServer, startServer } from './server';
export type { ServerOptions, ServeOptions, RunningServer } from './server';
