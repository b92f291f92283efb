// sentimentPlugin: the HTTP face of a Predictor, for a new Fastify server or an existing app:
//   POST /v1/predict  {"text": "..."} or {"texts": ["...", ...]}, optional "explain": true
//   GET  /healthz     200 once the model is loaded, 503 while loading or closing
//   GET  /metrics     Prometheus text format
//   GET  /            the demo page (static/serve/, no build step)
// Errors are JSON {statusCode, code, error, message}: 400 bad body, 413 too large, 415 not JSON,
// 503 + Retry-After when the queue is full or the predictor is closing.
import * as path from 'path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ServeError, describe } from './errors';
import { checkText } from './limits';
import { createMetrics } from './metrics';
import type { ServeMetrics } from './metrics';
import type { Predictor } from './predictor';

export interface SentimentPluginOptions {
  /** The predictor, or a promise of it: /healthz answers 503 until it resolves. */
  predictor: Predictor | Promise<Predictor>;
  /** Largest request body in bytes (default 4 MiB; texts are also held to the predictor's maxChars). */
  bodyLimit?: number;
  /** Serve the demo page at the plugin's root (default true). */
  page?: boolean;
  /** Metrics to record into (default: a fresh registry with the process metrics); false: no /metrics. */
  metrics?: ServeMetrics | false;
  /** Seconds in the Retry-After header of a 503 (default 1). */
  retryAfter?: number;
}

interface PredictBody {
  text?: unknown;
  texts?: unknown;
  explain?: unknown;
}

const STATIC_ROOT = path.join(__dirname, '..', '..', 'static', 'serve');

const bodySchema = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    texts: { type: 'array', items: { type: 'string' }, minItems: 1 },
    explain: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

function badBody(message: string): ServeError {
  return new ServeError('INVALID_TEXT', message);
}

/**
 * Strict types before the schema runs: Fastify's default Ajv coerces scalars (5 -> "5"), and a service
 * should refuse a number where it expects a text rather than score the string "5".
 */
function checkBody(body: unknown, maxChars: number): PredictBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badBody(`Expected a JSON object {"text": ...} or {"texts": [...]} for the body but received ${describe(body)}`);
  const b = body as PredictBody;
  const extra = Object.keys(b).filter((k) => k !== 'text' && k !== 'texts' && k !== 'explain');
  if (extra.length) throw badBody(`Unknown field ${JSON.stringify(extra[0])} in the body (expected "text" or "texts", and optionally "explain")`);
  if ((b.text === undefined) === (b.texts === undefined)) throw badBody('Expected exactly one of "text" or "texts" in the body');
  if (b.explain !== undefined && typeof b.explain !== 'boolean') throw badBody(`Expected a boolean for explain but received ${describe(b.explain)}`);
  if (b.text !== undefined) checkText('text', b.text, maxChars);
  else {
    if (!Array.isArray(b.texts)) throw badBody(`Expected an array of strings for texts but received ${describe(b.texts)}`);
    if (b.texts.length === 0) throw badBody('Expected at least one text in texts but received an empty array');
    b.texts.forEach((t, i) => checkText(`texts[${i}]`, t, maxChars));
  }
  return b;
}

export const sentimentPlugin: FastifyPluginAsync<SentimentPluginOptions> = async (app: FastifyInstance, options: SentimentPluginOptions) => {
  if (!options || !options.predictor) throw new TypeError(`Expected a Predictor (or a promise of one) for options.predictor but received ${describe(options?.predictor)}`);
  const retryAfter = String(options.retryAfter ?? 1);
  const metrics = options.metrics === false ? null : (options.metrics ?? createMetrics());
  let predictor: Predictor | null = null;
  let loadError: Error | null = null;
  let closing = false;
  const loading = Promise.resolve(options.predictor).then(
    (p) => {
      predictor = p;
      metrics?.watch(p);
    },
    (e: Error) => {
      loadError = e;
      app.log.error({ err: e }, 'the model could not be loaded');
    },
  );
  // JSON only: without Fastify's text/plain parser, other content types answer 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('preClose', async () => {
    closing = true;
  });
  // Once closing, answers end their connection: server.close() only drops the keep-alive connections
  // idle at the moment it is called, and those of the requests still in flight would otherwise hold
  // the process until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('Connection', 'close');
  });
  // Unhandled errors of loading are logged; the plugin itself is ready at once, /healthz tells the rest.
  void loading;

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; status?: number }, request: FastifyRequest, reply: FastifyReply) => {
    const status = err instanceof ServeError ? err.status : (err.statusCode ?? 500);
    if (status === 503) reply.header('Retry-After', retryAfter);
    if (status >= 500 && status !== 503) request.log.error({ err }, 'predict failed');
    const code = err instanceof ServeError ? err.code : (err.code ?? 'INTERNAL');
    const message = status >= 500 && !(err instanceof ServeError) ? 'internal error' : err.message;
    return reply.status(status).send({ statusCode: status, code, error: httpReason(status), message });
  });

  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
      metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', async (_request, reply) => {
      reply.header('Content-Type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  app.get('/healthz', async (_request, reply) => {
    if (predictor && !closing) return { status: 'ok', model: predictor.info.model, labels: predictor.info.labels, explains: predictor.info.explains, workers: predictor.info.workers };
    reply.status(503).header('Retry-After', retryAfter);
    if (loadError) return { status: 'failed', message: (loadError as Error).message };
    return { status: closing ? 'closing' : 'loading' };
  });

  app.post<{ Body: PredictBody }>(
    '/v1/predict',
    {
      bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
      schema: { body: bodySchema },
      preValidation: async (request) => {
        if (!predictor) throw new ServeError(loadError ? 'WORKER_FAILED' : 'CLOSED', loadError ? `the model could not be loaded: ${(loadError as Error).message}` : 'the model is still loading');
        checkBody(request.body, predictor.info.maxChars);
      },
    },
    async (request) => {
      const p = predictor as Predictor;
      const { text, texts, explain } = request.body;
      // A client that goes away stops waiting: its queued texts leave the queue.
      const abort = new AbortController();
      const onClose = () => abort.abort(new Error('the client closed the connection'));
      request.raw.socket?.once('close', onClose);
      try {
        if (text !== undefined) return await p.predict(text as string, { explain: explain === true, signal: abort.signal });
        return { predictions: await p.predictBatch(texts as string[], { explain: explain === true, signal: abort.signal }) };
      } finally {
        request.raw.socket?.off('close', onClose);
      }
    },
  );

  if (options.page ?? true) {
    await app.register(fastifyStatic, { root: STATIC_ROOT, prefix: '/', index: 'index.html', decorateReply: false, wildcard: false });
  }
};

// Fastify's plugin metadata: routes and hooks stay encapsulated under the prefix the app registers with.
Object.assign(sentimentPlugin, { [Symbol.for('fastify.display-name')]: 'torch-sentiment' });

function httpReason(status: number): string {
  const reasons: Record<number, string> = { 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 499: 'Client Closed Request', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  return reasons[status] ?? 'Error';
}
