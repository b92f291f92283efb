// Dynamic batching: texts wait in a bounded queue until a worker is free, then leave as one batch of up
// to maxBatchSize: at once when no batch is running (with the texts of the same event-loop turn),
// otherwise once the batch is full or its oldest text has waited maxDelayMs. Under load the queue
// fills while every worker is busy, so batches grow by themselves; an idle service adds no delay. Cancelled texts leave the queue; a batch already running is never interrupted (that
// would mean terminating its worker), its cancelled callers are answered at once and the result dropped.
import { ServeError } from './errors';

export interface BatcherOptions<T, R> {
  maxBatchSize: number;
  maxDelayMs: number;
  /** Texts waiting (not yet in a batch) before submit answers QUEUE_FULL. */
  maxQueue: number;
  /** Batches running at once (the number of workers). */
  concurrency: number;
  run(items: T[]): Promise<R[]>;
  /** Called as each batch leaves, with its size and the queue length left behind. */
  onBatch?(size: number, queued: number): void;
}

interface Entry<T, R> {
  item: T;
  resolve(r: R): void;
  reject(e: unknown): void;
  settled: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
  since: number;
}

export class Batcher<T, R> {
  private readonly o: BatcherOptions<T, R>;
  private readonly queue: Array<Entry<T, R>> = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closing = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: BatcherOptions<T, R>) {
    this.o = options;
  }

  /** Texts waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Batches being run. */
  get inFlight(): number {
    return this.running;
  }

  submit(item: T, signal?: AbortSignal): Promise<R> {
    if (this.closing) return Promise.reject(new ServeError('CLOSED', 'the predictor is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.queue.length >= this.o.maxQueue) {
      return Promise.reject(new ServeError('QUEUE_FULL', `the queue is full (${this.o.maxQueue} texts waiting): retry later`));
    }
    return new Promise<R>((resolve, reject) => {
      const entry: Entry<T, R> = { item, resolve, reject, settled: false, signal, since: performance.now() };
      if (signal) {
        entry.onAbort = () => {
          const i = this.queue.indexOf(entry);
          if (i >= 0) this.queue.splice(i, 1);
          settle(entry, () => reject(abortError(signal)));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.queue.push(entry);
      // Not dispatched synchronously: the texts that arrive in the same turn of the event loop join it.
      this.immediate ??= setImmediate(() => {
        this.immediate = null;
        this.schedule();
      });
    });
  }

  private schedule(): void {
    while (this.running < this.o.concurrency && this.queue.length > 0) {
      const waited = performance.now() - this.queue[0].since;
      // Waiting only pays while other batches run (more texts are coming); an idle pool starts at once.
      if (this.running > 0 && this.queue.length < this.o.maxBatchSize && waited < this.o.maxDelayMs && !this.closing) {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.schedule();
        }, this.o.maxDelayMs - waited);
        return;
      }
      this.dispatch(this.queue.splice(0, this.o.maxBatchSize));
    }
  }

  private dispatch(batch: Array<Entry<T, R>>): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running++;
    this.o.onBatch?.(batch.length, this.queue.length);
    let result: Promise<R[]>;
    try {
      result = this.o.run(batch.map((e) => e.item));
    } catch (e) {
      result = Promise.reject(e);
    }
    result.then(
      (rs) => batch.forEach((e, i) => settle(e, () => e.resolve(rs[i]))),
      (err) => batch.forEach((e) => settle(e, () => e.reject(err))),
    ).finally(() => {
      this.running--;
      this.schedule();
      if (this.running === 0 && this.queue.length === 0) this.idleWaiters.splice(0).forEach((f) => f());
    });
  }

  /** Stops taking texts, runs every queued one without waiting for maxDelayMs, resolves when all are answered. */
  drain(): Promise<void> {
    this.closing = true;
    this.schedule();
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function settle<T, R>(e: Entry<T, R>, fn: () => void): void {
  if (e.settled) return;
  e.settled = true;
  if (e.signal && e.onAbort) e.signal.removeEventListener('abort', e.onAbort);
  fn();
}

function abortError(signal: AbortSignal): ServeError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new ServeError('ABORTED', `the prediction was aborted${reason}`, { cause: signal.reason });
}
