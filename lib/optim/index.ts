// torch.optim: SGD and Adam run by libtorch (one native call per step) over tensors JS owns.
import { TorchError } from '../errors';
import { disposedError, sealDisposed } from '../lifecycle';
import { OptimizerHandle, native } from '../native';
import { Tensor } from '../tensor';
import { checkBoolean, checkNumber, checkObject, checkKeys, checkTensor, invalid } from '../validate';

type Options = Record<string, number | boolean>;

export abstract class Optimizer {
  readonly params: Tensor[];
  private handle: OptimizerHandle | null;
  protected current: Options;

  protected constructor(kind: 'sgd' | 'adam', params: Iterable<Tensor>, options: Options) {
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
      throw invalid('params', 'an array of Tensors (e.g. model.parameters())', params);
    }
    this.params = Array.from(params, (p, i) => checkTensor(`params[${i}]`, p));
    if (this.params.length === 0) throw new RangeError('optimizer got an empty parameter list');
    this.current = options;
    this.handle = native.optimizer(kind, this.params.map((p) => p.handle), this.toNative(options));
  }

  /** Option names as libtorch's optimizer takes them. */
  protected toNative(options: Options): Options {
    return options;
  }

  private live(): OptimizerHandle {
    if (this.handle === null) throw disposedError(this.constructor.name);
    return this.handle;
  }

  /**
   * Clears every parameter's gradient: zeroed in place (PyTorch 1.13's default, reusing the buffers:
   * on the CPU this saves a fresh 10 MB embedding gradient per step in the tutorial), or dropped with
   * `{setToNone: true}` (PyTorch 2's default).
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    this.live();
    const setToNone = checkObject('options', options).setToNone;
    native.zeroGrad(this.params.map((p) => p.handle), setToNone === undefined ? false : checkBoolean('setToNone', setToNone));
  }

  /**
   * One update of every parameter from its gradient. Throws when a parameter has been disposed (its
   * module's dispose(), say): libtorch's optimizer keeps its own references to the parameters, so the
   * step would otherwise update memory nothing uses any more and report success.
   */
  step(): void {
    const h = this.live();
    for (let i = 0; i < this.params.length; i++) {
      if (this.params[i].isDisposed) {
        throw new TorchError(`${this.constructor.name}.step(): params[${i}] has been disposed (was the module it belongs to disposed?); make a new optimizer for the new parameters`);
      }
    }
    native.optimizerStep(h);
  }

  /** The current options (a copy). */
  get options(): Options {
    return { ...this.current };
  }

  get lr(): number {
    return this.current.lr as number;
  }
  set lr(value: number) {
    this.setOptions({ lr: value });
  }

  /** Changes options between steps (a learning-rate schedule, say). */
  abstract setOptions(options: Record<string, unknown>): void;

  protected apply(options: Options): void {
    native.optimizerSetOptions(this.live(), this.toNative(options));
    Object.assign(this.current, options);
  }

  /**
   * Frees the optimizer's state (momentum buffers, moments). The parameters stay. Every method throws
   * a TorchError saying it has been disposed afterwards (dispose() again does nothing).
   */
  dispose(): void {
    if (this.handle !== null) {
      native.optimizerDispose(this.handle);
      this.handle = null;
      sealDisposed(this, this.constructor.name);
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  get isDisposed(): boolean {
    return this.handle === null;
  }
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

function sgdOptions(o: Record<string, unknown>, partial: boolean): Options {
  checkKeys('SGD', o, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']);
  const out: Options = {};
  if (o.lr !== undefined || !partial) out.lr = checkNumber('lr', o.lr, { min: 0 });
  if (o.momentum !== undefined) out.momentum = checkNumber('momentum', o.momentum, { min: 0 });
  if (o.dampening !== undefined) out.dampening = checkNumber('dampening', o.dampening);
  if (o.weightDecay !== undefined) out.weightDecay = checkNumber('weightDecay', o.weightDecay, { min: 0 });
  if (o.nesterov !== undefined) out.nesterov = checkBoolean('nesterov', o.nesterov);
  return out;
}

/** Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay. */
export class SGD extends Optimizer {
  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    const o = sgdOptions(checkObject('options', options), false);
    const full = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...o };
    if (full.nesterov && (!full.momentum || full.dampening)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    super('sgd', params, full);
  }
  setOptions(options: Partial<SGDOptions>): void {
    this.apply(sgdOptions(checkObject('options', options), true));
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

function adamOptions(o: Record<string, unknown>): Options {
  checkKeys('Adam', o, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad']);
  const out: Options = {};
  if (o.lr !== undefined) out.lr = checkNumber('lr', o.lr, { min: 0 });
  if (o.betas !== undefined) {
    if (!Array.isArray(o.betas) || o.betas.length !== 2) throw invalid('betas', 'a pair [beta1, beta2]', o.betas);
    out.beta1 = checkNumber('betas[0]', o.betas[0], { min: 0, max: 1 });
    out.beta2 = checkNumber('betas[1]', o.betas[1], { min: 0, max: 1 });
  }
  if (o.eps !== undefined) out.eps = checkNumber('eps', o.eps, { min: 0 });
  if (o.weightDecay !== undefined) out.weightDecay = checkNumber('weightDecay', o.weightDecay, { min: 0 });
  if (o.amsgrad !== undefined) out.amsgrad = checkBoolean('amsgrad', o.amsgrad);
  return out;
}

/** Adam, with PyTorch's defaults (lr 1e-3, betas [0.9, 0.999], eps 1e-8). */
export class Adam extends Optimizer {
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super('adam', params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, ...adamOptions(checkObject('options', options)) });
  }
  setOptions(options: Partial<AdamOptions>): void {
    this.apply(adamOptions(checkObject('options', options)));
  }
}
