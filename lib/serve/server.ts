// The standalone server of `torch-sentiment serve`: Fastify with pino logging, listening at once (so
// /healthz can say "loading"), the predictor loading in its worker threads, and a graceful shutdown on
// SIGTERM / SIGINT: stop accepting, let in-flight requests finish, drain the predictor, exit.
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { sentimentPlugin } from './plugin';
import type { SentimentPluginOptions } from './plugin';
import { createPredictor } from './predictor';
import type { Predictor, PredictorOptions } from './predictor';

export interface ServerOptions extends Omit<SentimentPluginOptions, 'predictor'> {
  /** Fastify's logger option (default: pino at info, without a line per request). */
  logger?: FastifyServerOptions['logger'];
}

/** A Fastify app with the plugin at its root (not listening yet). */
export async function buildServer(predictor: Predictor | Promise<Predictor>, options: ServerOptions = {}): Promise<FastifyInstance> {
  const { logger, ...plugin } = options;
  const app = Fastify({ logger: logger ?? { level: 'info' }, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true });
  await app.register(sentimentPlugin, { ...plugin, predictor });
  return app;
}

export interface ServeOptions extends PredictorOptions, ServerOptions {
  modelDir: string;
  port?: number;
  host?: string;
  /** Close gracefully on the first SIGTERM / SIGINT (default true; a second one ends the process as usual). */
  handleSignals?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Resolves once the model is loaded in every worker. */
  ready: Promise<Predictor>;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Stops accepting, finishes in-flight requests, drains and closes the predictor. */
  close(): Promise<void>;
  /** Resolves once closed (by close() or a signal). */
  closed: Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { modelDir, port = 8080, host = '127.0.0.1', handleSignals = true, logger, bodyLimit, page, metrics, retryAfter, ...predictorOptions } = options;
  const ready = createPredictor(modelDir, predictorOptions);
  ready.catch(() => {}); // reported by the plugin (/healthz) and the log
  const app = await buildServer(ready, { logger, bodyLimit, page, metrics, retryAfter });
  const url = await app.listen({ port, host });
  ready.then(
    (p) => app.log.info({ model: p.info.model, workers: p.info.workers, labels: p.info.labels }, `model loaded from ${modelDir}: ready at ${url}`),
    () => {},
  );
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info(`${signal}: finishing in-flight requests, then closing`);
    void close();
  };
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await app.close(); // in-flight requests finish first
      const p = await ready.catch(() => null);
      await p?.close();
      app.log.info('closed');
    })().finally(resolveClosed));
  if (handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { app, ready, url, close, closed };
}
