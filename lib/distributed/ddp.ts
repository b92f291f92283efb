// DistributedDataParallel, as torch.nn.parallel's: wraps a module, starts every rank from rank 0's
// parameters, and averages gradients across the process group during backward(). The work is
// libtorch's c10d Reducer: gradients are cut into buckets (~bucketCapMB each, rebuilt after the first
// iteration in the order backward produces them) and each bucket's all-reduce starts on Gloo's threads
// as soon as its gradients are ready, overlapping the rest of the backward pass; backward() returns
// when all of them are done, with every .grad averaged.
import { TorchError } from '../errors';
import { native, DdpHandle } from '../native';
import { Module } from '../nn/module';
import { Tensor } from '../tensor';
import { checkBoolean, checkKeys, checkNumber, checkObject, invalid, optional } from '../validate';
import { DistributedError, wrapError } from './errors';

export interface DdpOptions {
  /** Gradient bucket size in MiB (PyTorch's bucket_cap_mb); default 25. */
  bucketCapMB?: number;
  /** Let gradients be views into the all-reduce buckets (saves a copy and memory); default false. */
  gradientAsBucketView?: boolean;
  /** Tolerate parameters that take no part in a forward pass (costs a graph walk); default false. */
  findUnusedParameters?: boolean;
}

function outputTensors(value: unknown, out: Tensor[] = [], seen = new Set<unknown>()): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Array.isArray(value) ? value : Object.values(value)) outputTensors(v, out, seen);
  }
  return out;
}

export class DistributedDataParallel<M extends Module = Module> extends Module {
  /** The wrapped module: save `ddp.module.stateDict()` for PyTorch-compatible names without `module.`. */
  readonly module: M;
  private ddp: DdpHandle | null;
  private readonly params: Tensor[];
  private readonly names: string[];
  private readonly findUnused: boolean;
  private syncing = true;

  /**
   * Collective: every rank must construct it, with a module of the same parameter shapes, after
   * initProcessGroup. Rank 0's parameter values are copied to every rank.
   */
  constructor(module: M, options: DdpOptions = {}) {
    super();
    if (!(module instanceof Module)) throw invalid('module', 'a Module', module);
    const o = checkObject('options', options);
    checkKeys('DistributedDataParallel', o, ['bucketCapMB', 'gradientAsBucketView', 'findUnusedParameters']);
    const bucketCapMB = optional(o.bucketCapMB, 25, (v) => checkNumber('bucketCapMB', v, { min: 1e-6, max: 1e6 }));
    const gradientAsBucketView = optional(o.gradientAsBucketView, false, (v) => checkBoolean('gradientAsBucketView', v));
    this.findUnused = optional(o.findUnusedParameters, false, (v) => checkBoolean('findUnusedParameters', v));
    this.module = module;
    const named = module.namedParameters().filter(([, p]) => p.requiresGrad);
    this.params = named.map(([, p]) => p);
    this.names = named.map(([n]) => n);
    try {
      this.ddp = native.ddpCreate(
        this.params.map((p) => p.handle),
        this.names,
        { bucketCapMB, gradientAsBucketView, findUnusedParameters: this.findUnused, moduleName: module.constructor.name },
      );
    } catch (err) {
      if (err instanceof TypeError) throw err;
      throw wrapError(err, 'DistributedDataParallel');
    }
  }

  private live(): DdpHandle {
    if (this.ddp === null) throw new TorchError('DistributedDataParallel has been disposed');
    return this.ddp;
  }

  /**
   * Runs the module's forward. In grad mode (and outside noSync), arms the gradient all-reduce for the
   * next backward(), which every rank must then run.
   */
  forward(...args: unknown[]): ReturnType<M extends { forward: (...a: never[]) => infer R } ? () => R : () => unknown> {
    const h = this.live();
    const params = this.module.parameters().filter((p) => p.requiresGrad);
    if (params.length !== this.params.length || params.some((p, i) => p !== this.params[i])) {
      throw new DistributedError('ERR_DIST_FAILED', 'the wrapped module\'s parameters changed after DistributedDataParallel was built (construct it after the model is complete and on its device)');
    }
    let sync = false;
    try {
      sync = this.syncing && native.ddpPreForward(h);
    } catch (err) {
      throw wrapError(new Error(this.explain(err instanceof Error ? err.message : String(err))), 'DistributedDataParallel.forward');
    }
    const output = (this.module as unknown as { forward: (...a: unknown[]) => unknown }).forward(...args);
    if (sync) {
      try {
        native.ddpPostForward(h, this.findUnused ? outputTensors(output).map((t) => t.handle) : []);
      } catch (err) {
        throw wrapError(err, 'DistributedDataParallel.forward');
      }
    }
    return output as never;
  }

  /** c10d's Reducer speaks of Python's API and of parameter indices: say it with this API's names. */
  private explain(message: string): string {
    return message
      .replace(/passing the keyword argument `find_unused_parameters=True` to `torch\.nn\.parallel\.DistributedDataParallel`/, 'passing `findUnusedParameters: true` to `new DistributedDataParallel(model, options)`')
      .replace(/(Parameter indices which did not receive grad for rank \d+): ([\d ]+)/, (_all, head: string, list: string) => {
        const named = list.trim().split(/\s+/).map((i) => this.names[Number(i)] ?? `#${i}`);
        return `${head.replace('indices', 'names')}: ${named.join(', ')}`;
      });
  }

  /**
   * Runs `fn` with gradient synchronisation off: backward passes inside accumulate local gradients
   * only (gradient accumulation); the first synchronised backward after it averages the sum.
   */
  noSync<T>(fn: () => T): T {
    const before = this.syncing;
    this.syncing = false;
    try {
      return fn();
    } finally {
      this.syncing = before;
    }
  }

  /** Frees the Reducer (its buckets and hooks). The wrapped module stays usable: dispose it yourself. */
  override dispose(): void {
    if (this.ddp === null) return;
    native.ddpRelease(this.ddp);
    this.ddp = null;
  }

  override get isDisposed(): boolean {
    return this.ddp === null;
  }
}
