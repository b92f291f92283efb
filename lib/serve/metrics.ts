// Prometheus metrics of a served predictor (prom-client): HTTP requests and latency, texts predicted,
// batch sizes and the queue length. One registry per server, so several apps in a process stay apart.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchEvent, Predictor } from './predictor';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route'>;
  texts: Counter<string>;
  batchSize: Histogram<string>;
  /** Starts counting a predictor's batches and reading its queue length. */
  watch(predictor: Predictor): void;
}

export function createMetrics(options: { registry?: Registry; prefix?: string; defaultMetrics?: boolean } = {}): ServeMetrics {
  const registry = options.registry ?? new Registry();
  const p = options.prefix ?? 'sentiment_';
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  let predictor: Predictor | null = null;
  const requests = new Counter({ name: `${p}http_requests_total`, help: 'HTTP requests answered, by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [registry] });
  const latency = new Histogram({
    name: `${p}http_request_duration_seconds`,
    help: 'Time from request to response, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const texts = new Counter({ name: `${p}texts_predicted_total`, help: 'Texts sent to the model', registers: [registry] });
  const batchSize = new Histogram({ name: `${p}batch_size`, help: 'Texts per forward pass', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [registry] });
  new Gauge({
    name: `${p}queue_length`,
    help: 'Texts waiting for a worker',
    registers: [registry],
    collect() {
      this.set(predictor ? predictor.queueLength : 0);
    },
  });
  const onBatch = (e: BatchEvent) => {
    batchSize.observe(e.size);
    texts.inc(e.size);
  };
  return {
    registry,
    requests,
    latency,
    texts,
    batchSize,
    watch(next: Predictor) {
      predictor?.off('batch', onBatch);
      predictor = next;
      next.on('batch', onBatch);
    },
  };
}
