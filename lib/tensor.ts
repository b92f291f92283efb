// Tensor: a JS object that owns one native libtorch tensor (PyTorch's names and semantics,
// camelCased), and its lifecycle: the safety net for tensors never disposed, the live-tensor count,
// gradient mode. Tensors are made by lib/factories.ts (and by ops, through wrap()).
import { DTYPES, DType, TypedArray, dtypeCode, dtypeName } from './dtype';
import { DeviceLike, deviceName } from './device';
import { checkCudaIndices } from './cuda-guard';
import { TorchError } from './errors';
import { Handle, native } from './native';
import { track } from './scope';
import { checkBoolean, checkInteger, checkIntList, checkNumber, checkObject, checkKeys, checkTensor, invalid, registerTensorClass } from './validate';

export type { DType, TypedArray } from './dtype';
export type { DeviceLike } from './device';

/** A number, a boolean or a tensor: the `other` of binary ops. */
export type TensorOrScalar = Tensor | number | boolean;
/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | NestedArray[];
/** One index of `Tensor.index`: an integer, null (`:`), a slice, '...', 'newaxis', or an index tensor. */
export type IndexSpec = number | null | { start?: number; stop?: number; step?: number } | '...' | 'newaxis' | Tensor;

export interface TensorOptions {
  shape?: number[];
  dtype?: DType;
  device?: DeviceLike;
  requiresGrad?: boolean;
}

/**
 * The safety net for tensors dropped without dispose(): when the garbage collector reclaims a Tensor,
 * its native tensor is freed. dispose() unregisters the tensor (the tensor is its own unregister
 * token): a handle names a slot and a 24-bit generation, so a finalizer left to run long after its
 * tensor was disposed could, once that slot's generation had wrapped, free another tensor's memory.
 */
const safetyNet = new FinalizationRegistry<Handle>((h) => {
  netStats.collected++;
  if (!native.dispose(h)) netStats.stale++;
});
const netStats = { registered: 0, unregistered: 0, collected: 0, stale: 0 };

/**
 * @internal How the safety net has worked so far: tensors registered and unregistered (disposed
 * after registration), finalizers run, and finalizers that found their handle already freed (0
 * unless a disposed tensor was left registered).
 */
export function safetyNetStats(): Readonly<typeof netStats> {
  return { ...netStats };
}

// Registration is batched: most tensors are disposed soon after they are made (dispose(), tidy), and
// FinalizationRegistry.register costs more than all the rest of a small op's JS side (0.3-0.8 µs with
// the collector's work on its cells). New tensors wait in `pending`; at the next microtask, or once
// 4,096 are waiting, those still alive are registered and the disposed ones are simply dropped, so
// only the registered ones pay for unregister() when they are disposed.
let pending: Tensor[] = [];
let flushQueued = false;
function registerPending(): void {
  flushQueued = false;
  const list = pending;
  pending = [];
  for (const t of list) {
    if (t._h !== null) {
      safetyNet.register(t, t._h, t);
      t._registered = true;
      netStats.registered++;
    }
  }
}
function guard(t: Tensor): void {
  pending.push(t);
  if (pending.length >= 4096) registerPending();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(registerPending);
  }
}

export class Tensor {
  /** @internal */ _h: Handle | null;
  /** @internal Set by keep(); declared only, so creating a tensor defines no extra property. */
  declare _kept?: boolean;
  /** @internal Set once the safety net holds this tensor; declared only, as _kept. */
  declare _registered?: boolean;
  private _meta: ReturnType<typeof native.meta> | null = null;

  /** @internal Use the factories (`tensor`, `zeros`, ...) to create tensors. */
  constructor(handle: Handle) {
    this._h = handle;
    track(this);
    guard(this);
  }

  /** @internal The live handle; throws if disposed. */
  get handle(): Handle {
    if (this._h === null) throw new TorchError('Tensor has been disposed');
    return this._h;
  }

  private meta(): ReturnType<typeof native.meta> {
    if (this._meta === null) this._meta = native.meta(this.handle);
    return this._meta;
  }

  get shape(): number[] {
    return (this.meta().slice(3) as number[]).slice();
  }
  get ndim(): number {
    return this.meta().length - 3;
  }
  dim(): number {
    return this.ndim;
  }
  size(dim?: number): number | number[] {
    if (dim === undefined) return this.shape;
    const n = this.ndim;
    checkInteger('dim', dim, -Math.max(n, 1), Math.max(n, 1) - 1);
    return this.meta()[3 + (dim < 0 ? dim + n : dim)] as number;
  }
  get dtype(): DType {
    return dtypeName(this.meta()[0]);
  }
  get device(): string {
    return this.meta()[1];
  }
  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get isDisposed(): boolean {
    return this._h === null;
  }

  /**
   * Replaces this tensor's data with `data`'s, as PyTorch's `t.data = data` (`set_data`): this object,
   * its handle and its autograd identity stay (a module, an optimizer or a tidy scope that holds it
   * keeps holding it), and so does requiresGrad; shape, dtype and device become `data`'s. The two
   * share memory afterwards; `data` stays the caller's to dispose. Returns this tensor.
   */
  setData(data: Tensor): this {
    native.setData(this.handle, checkTensor('data', data).handle);
    this._meta = null;
    return this;
  }

  /** Releases the native tensor now. Safe to call twice. */
  dispose(): void {
    if (this._h !== null) {
      if (this._registered) {
        safetyNet.unregister(this);
        this._registered = false;
        netStats.unregistered++;
      }
      native.dispose(this._h);
      this._h = null;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- data out ----
  /** A copy of the data as a typed array (int64 -> BigInt64Array, bool -> Uint8Array). */
  toTypedArray(): TypedArray {
    return native.toTypedArray(this.handle);
  }
  /** A copy of the data as (nested) JS numbers, or booleans for bool tensors. */
  toArray(): NestedArray {
    const data = this.toTypedArray();
    const isBool = this.dtype === 'bool';
    const flat: (number | boolean)[] = Array.from(data as ArrayLike<number | bigint>, (v) => (isBool ? v !== 0 : Number(v)));
    const shape = this.shape;
    if (shape.length === 0) return flat[0];
    let offset = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? flat[offset++] : build(d + 1));
      return out;
    };
    return build(0);
  }
  /** The value of a one-element tensor. */
  item(): number | boolean {
    return native.item(this.handle);
  }
  toString(): string {
    return this._h === null ? 'Tensor(disposed)' : native.toString(this._h);
  }
  /**
   * What JSON.stringify writes for a tensor: its shape, dtype and device, not its data (toArray() gives
   * that), so objects that hold tensors (logged settings, a model) stay serializable.
   */
  toJSON(): { shape: number[]; dtype: DType; device: string } | { disposed: true } {
    return this._h === null ? { disposed: true } : { shape: this.shape, dtype: this.dtype, device: this.device };
  }
  /** console.log and util.inspect: a one-line summary (toString() prints the values). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    if (this._h === null) return 'Tensor(disposed)';
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device=${this.device}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- conversion ----
  /** `to(device)`, `to(dtype)` or `to({device, dtype, copy})`: a tensor on that device / of that dtype. */
  to(target: DeviceLike | DType | { device?: DeviceLike; dtype?: DType; copy?: boolean }): Tensor {
    let dev: string | undefined;
    let dt: number | undefined;
    let copy = false;
    if (typeof target === 'string' && DTYPE_NAMES.has(target)) dt = dtypeCode('dtype', target);
    else if (typeof target === 'string' || (typeof target === 'object' && target !== null && 'type' in target)) dev = deviceName('device', target as DeviceLike);
    else {
      const o = checkObject('options', target);
      checkKeys('to', o, ['device', 'dtype', 'copy']);
      if (o.device !== undefined) dev = deviceName('device', o.device as DeviceLike);
      if (o.dtype !== undefined) dt = dtypeCode('dtype', o.dtype);
      if (o.copy !== undefined) copy = checkBoolean('copy', o.copy);
    }
    return wrap(native.to(this.handle, dt, dev, copy));
  }
  cpu(): Tensor {
    return this.to('cpu');
  }
  cuda(index?: number): Tensor {
    return this.to(index === undefined ? 'cuda' : `cuda:${checkInteger('index', index, 0)}`);
  }
  float(): Tensor {
    return this.to('float32');
  }
  double(): Tensor {
    return this.to('float64');
  }
  long(): Tensor {
    return this.to('int64');
  }
  int(): Tensor {
    return this.to('int32');
  }
  bool(): Tensor {
    return this.to('bool');
  }
  clone(): Tensor {
    return wrap(native.clone(this.handle));
  }
  contiguous(): Tensor {
    return wrap(native.contiguous(this.handle));
  }
  isContiguous(): boolean {
    return native.isContiguous(this.handle);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return this.meta()[2];
  }
  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }
  /** Sets requires_grad in place and returns this tensor. */
  requiresGrad_(value = true): this {
    native.setRequiresGrad(this.handle, checkBoolean('requiresGrad', value));
    this._meta = null;
    return this;
  }
  /**
   * The accumulated gradient, or null. Each read returns a new Tensor sharing the gradient's memory
   * (as `p.grad` does); dispose it, or read it inside tidy().
   */
  get grad(): Tensor | null {
    const h = native.grad(this.handle);
    return h === null ? null : wrap(h);
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    const o = checkObject('options', options);
    const retain = o.retainGraph === undefined ? false : checkBoolean('retainGraph', o.retainGraph);
    const g = gradient === undefined ? undefined : checkTensor('gradient', gradient).handle;
    native.backward(this.handle, g, retain);
  }
  detach(): Tensor {
    return wrap(native.detach(this.handle));
  }

  // ---- elementwise ----
  add(other: TensorOrScalar): Tensor {
    return wrap(native.add(this.handle, operand(other)));
  }
  sub(other: TensorOrScalar): Tensor {
    return wrap(native.sub(this.handle, operand(other)));
  }
  mul(other: TensorOrScalar): Tensor {
    return wrap(native.mul(this.handle, operand(other)));
  }
  div(other: TensorOrScalar): Tensor {
    return wrap(native.div(this.handle, operand(other)));
  }
  pow(other: TensorOrScalar): Tensor {
    return wrap(native.pow(this.handle, operand(other)));
  }
  remainder(other: TensorOrScalar): Tensor {
    return wrap(native.remainder(this.handle, operand(other)));
  }
  maximum(other: TensorOrScalar): Tensor {
    return wrap(native.maximum(this.handle, operand(other)));
  }
  minimum(other: TensorOrScalar): Tensor {
    return wrap(native.minimum(this.handle, operand(other)));
  }
  eq(other: TensorOrScalar): Tensor {
    return wrap(native.eq(this.handle, operand(other)));
  }
  ne(other: TensorOrScalar): Tensor {
    return wrap(native.ne(this.handle, operand(other)));
  }
  lt(other: TensorOrScalar): Tensor {
    return wrap(native.lt(this.handle, operand(other)));
  }
  le(other: TensorOrScalar): Tensor {
    return wrap(native.le(this.handle, operand(other)));
  }
  gt(other: TensorOrScalar): Tensor {
    return wrap(native.gt(this.handle, operand(other)));
  }
  ge(other: TensorOrScalar): Tensor {
    return wrap(native.ge(this.handle, operand(other)));
  }
  logicalAnd(other: TensorOrScalar): Tensor {
    return wrap(native.logicalAnd(this.handle, operand(other)));
  }
  logicalOr(other: TensorOrScalar): Tensor {
    return wrap(native.logicalOr(this.handle, operand(other)));
  }
  logicalNot(): Tensor {
    return wrap(native.logicalNot(this.handle));
  }
  matmul(other: Tensor): Tensor {
    return wrap(native.matmul(this.handle, checkTensor('other', other).handle));
  }
  neg(): Tensor {
    return wrap(native.neg(this.handle));
  }
  abs(): Tensor {
    return wrap(native.abs(this.handle));
  }
  exp(): Tensor {
    return wrap(native.exp(this.handle));
  }
  log(): Tensor {
    return wrap(native.log(this.handle));
  }
  sqrt(): Tensor {
    return wrap(native.sqrt(this.handle));
  }
  sigmoid(): Tensor {
    return wrap(native.sigmoid(this.handle));
  }
  tanh(): Tensor {
    return wrap(native.tanh(this.handle));
  }
  relu(): Tensor {
    return wrap(native.relu(this.handle));
  }
  round(): Tensor {
    return wrap(native.round(this.handle));
  }
  floor(): Tensor {
    return wrap(native.floor(this.handle));
  }
  ceil(): Tensor {
    return wrap(native.ceil(this.handle));
  }
  sign(): Tensor {
    return wrap(native.sign(this.handle));
  }
  isnan(): Tensor {
    return wrap(native.isnan(this.handle));
  }
  reciprocal(): Tensor {
    return wrap(native.reciprocal(this.handle));
  }
  clamp(min?: number, max?: number): Tensor {
    if (min !== undefined) checkNumber('min', min, { finite: false });
    if (max !== undefined) checkNumber('max', max, { finite: false });
    if (min === undefined && max === undefined) throw new TypeError('clamp needs min or max');
    return wrap(native.clamp(this.handle, min, max));
  }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('sum', dim, keepdim);
  }
  mean(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('mean', dim, keepdim);
  }
  std(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('std', dim, keepdim);
  }
  norm(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('norm', dim, keepdim);
  }
  amax(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('amax', dim, keepdim);
  }
  amin(dim?: number | number[], keepdim = false): Tensor {
    return this.reduce('amin', dim, keepdim);
  }
  all(dim?: number, keepdim = false): Tensor {
    return this.reduce('all', dim, keepdim);
  }
  any(dim?: number, keepdim = false): Tensor {
    return this.reduce('any', dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return this.reduce('argmax', dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return this.reduce('argmin', dim, keepdim);
  }
  /** `max()` is the largest element; `max(dim)` gives `{values, indices}` along dim, as in PyTorch. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return this.reduce('amax', undefined, false);
    const [v, i] = native.maxDim(this.handle, checkInteger('dim', dim), checkBoolean('keepdim', keepdim), false);
    return { values: wrap(v), indices: wrap(i) };
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    if (dim === undefined) return this.reduce('amin', undefined, false);
    const [v, i] = native.maxDim(this.handle, checkInteger('dim', dim), checkBoolean('keepdim', keepdim), true);
    return { values: wrap(v), indices: wrap(i) };
  }
  sort(dim = -1, descending = false, stable = false): { values: Tensor; indices: Tensor } {
    const [v, i] = native.sort(this.handle, checkInteger('dim', dim), checkBoolean('descending', descending), checkBoolean('stable', stable));
    return { values: wrap(v), indices: wrap(i) };
  }
  private reduce(kind: string, dim: number | number[] | undefined, keepdim: boolean): Tensor {
    const dims = dim === undefined ? undefined : Array.isArray(dim) ? checkIntList('dim', dim) : [checkInteger('dim', dim)];
    return wrap(native.reduce(kind, this.handle, dims, checkBoolean('keepdim', keepdim)));
  }

  // ---- shape ----
  view(...shape: number[] | [number[]]): Tensor {
    return wrap(native.view(this.handle, shapeArgs('shape', shape)));
  }
  reshape(...shape: number[] | [number[]]): Tensor {
    return wrap(native.reshape(this.handle, shapeArgs('shape', shape)));
  }
  expand(...shape: number[] | [number[]]): Tensor {
    return wrap(native.expand(this.handle, shapeArgs('shape', shape)));
  }
  permute(...dims: number[] | [number[]]): Tensor {
    return wrap(native.permute(this.handle, shapeArgs('dims', dims)));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return wrap(native.transpose(this.handle, checkInteger('dim0', dim0), checkInteger('dim1', dim1)));
  }
  /** 2-D transpose. */
  t(): Tensor {
    return wrap(native.t(this.handle));
  }
  squeeze(dim?: number): Tensor {
    return wrap(native.squeeze(this.handle, dim === undefined ? undefined : checkInteger('dim', dim)));
  }
  unsqueeze(dim: number): Tensor {
    return wrap(native.unsqueeze(this.handle, checkInteger('dim', dim)));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return wrap(native.flatten(this.handle, checkInteger('startDim', startDim), checkInteger('endDim', endDim)));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return wrap(native.narrow(this.handle, checkInteger('dim', dim), checkInteger('start', start), checkInteger('length', length, 0)));
  }

  // ---- indexing ----
  /**
   * PyTorch indexing: `x.index(0)` is `x[0]`, `x.index(null, {start: 1, stop: 3})` is `x[:, 1:3]`,
   * `x.index(mask)` is `x[mask]`, `x.index('...', 0)` is `x[..., 0]`.
   */
  index(...specs: IndexSpec[]): Tensor {
    // Every spec is read (a slice's getters run once, here) before any handle is resolved: a getter
    // that disposes this tensor then makes `this.handle` throw, instead of indexing whatever tensor
    // took its slot.
    const resolved = resolveSpecs(snapshotSpecs(specs), this);
    return wrap(native.index(this.handle, resolved));
  }
  /** `x[specs] = value` in place; returns this tensor. */
  indexPut_(specs: IndexSpec[], value: TensorOrScalar): this {
    if (!Array.isArray(specs)) throw invalid('specs', 'an array of indices', specs);
    const resolved = resolveSpecs(snapshotSpecs(specs), this);
    const v = operand(value, 'value');
    native.indexPut_(this.handle, resolved, v);
    return this;
  }
  /** `x.narrow`-like slice with a step: `x[start:stop:step]` along dim. */
  slice(dim: number, start?: number, stop?: number, step = 1): Tensor {
    checkInteger('dim', dim);
    const specs: IndexSpec[] = [];
    const n = this.ndim;
    const d = dim < 0 ? dim + n : dim;
    if (d < 0 || d >= n) throw new RangeError(`Expected dim between ${-n} and ${n - 1} but received ${dim}`);
    for (let i = 0; i < d; i++) specs.push(null);
    specs.push({ start, stop, step: checkInteger('step', step, 1) });
    return this.index(...specs);
  }
  select(dim: number, index: number): Tensor {
    return this.slice(dim, index, index === -1 ? undefined : index + 1).squeeze(dim);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    checkInteger('dim', dim);
    checkTensor('index', index);
    checkCudaIndices('index', index, this, dim, false);
    return wrap(native.indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    checkInteger('dim', dim);
    checkTensor('index', index);
    checkCudaIndices('index', index, this, dim, false);
    return wrap(native.gather(this.handle, dim, index.handle));
  }
  maskedSelect(mask: Tensor): Tensor {
    return wrap(native.maskedSelect(this.handle, checkTensor('mask', mask).handle));
  }
  maskedFill(mask: Tensor, value: number | boolean): Tensor {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw invalid('value', 'a number or boolean', value);
    return wrap(native.maskedFill(this.handle, checkTensor('mask', mask).handle, value));
  }

  // ---- in place (initialisation, hand-written updates); each returns this tensor ----
  uniform_(from = 0, to = 1): this {
    native.inPlace('uniform_', this.handle, checkNumber('from', from), checkNumber('to', to));
    return this;
  }
  normal_(mean = 0, std = 1): this {
    native.inPlace('normal_', this.handle, checkNumber('mean', mean), checkNumber('std', std, { min: 0 }));
    return this;
  }
  fill_(value: number | boolean): this {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw invalid('value', 'a number or boolean', value);
    native.inPlace('fill_', this.handle, value);
    return this;
  }
  zero_(): this {
    native.inPlace('zero_', this.handle);
    return this;
  }
  copy_(src: Tensor): this {
    native.inPlace('copy_', this.handle, checkTensor('src', src).handle);
    return this;
  }
  mul_(other: TensorOrScalar): this {
    native.inPlace('mul_', this.handle, operand(other));
    return this;
  }
  add_(other: TensorOrScalar, alpha = 1): this {
    native.inPlace('add_', this.handle, operand(other), checkNumber('alpha', alpha));
    return this;
  }
}

registerTensorClass(Tensor);
const DTYPE_NAMES: ReadonlySet<string> = new Set(DTYPES);

/** @internal Wraps a fresh native handle in a Tensor (tracked by the current tidy scope). */
export function wrap(h: Handle): Tensor {
  return new Tensor(h);
}

function operand(other: unknown, name = 'other'): Handle | number | boolean {
  if (other instanceof Tensor) return other.handle;
  if (typeof other === 'number' || typeof other === 'boolean') return other;
  throw invalid(name, 'a Tensor, number or boolean', other);
}

function shapeArgs(name: string, args: unknown[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return checkIntList(name, list);
}

type SpecSnapshot = number | null | '...' | 'newaxis' | Tensor | { start?: number; stop?: number; step?: number };

/** Reads every index spec once (a slice object's start/stop/step into a plain object), checking each. */
function snapshotSpecs(specs: ArrayLike<unknown>): SpecSnapshot[] {
  const out: SpecSnapshot[] = [];
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if (s instanceof Tensor || s === null || s === '...' || s === 'newaxis') out.push(s);
    else if (typeof s === 'number') out.push(checkInteger(`index ${i}`, s));
    else if (typeof s === 'object' && !Array.isArray(s)) {
      const src = s as Record<string, unknown>;
      const slice: { start?: number; stop?: number; step?: number } = {};
      for (const k of ['start', 'stop', 'step'] as const) {
        const v = src[k];
        if (v !== undefined) slice[k] = checkInteger(`index ${i}.${k}`, v);
      }
      out.push(slice);
    } else {
      throw invalid(`index ${i}`, "an integer, null, a {start, stop, step} slice, '...', 'newaxis' or a Tensor", s);
    }
  }
  return out;
}

/** What native.index takes: the snapshot with each index tensor's handle (checked against the CUDA guard). */
function resolveSpecs(specs: SpecSnapshot[], target: Tensor): unknown[] {
  let dim = 0;
  let afterEllipsis = false;
  return specs.map((s, i) => {
    if (s === '...') afterEllipsis = true;
    // Dims after '...' are counted from the end.
    const at = afterEllipsis ? i - specs.length : dim;
    if (s !== 'newaxis') dim++;
    if (s instanceof Tensor) {
      if (s.dtype !== 'bool') checkCudaIndices(`index ${i}`, s, target, at, true);
      return s.handle;
    }
    return s;
  });
}

/** How many native tensors JS holds now (not yet disposed or collected). Use it to find leaks. */
export function liveTensors(): number {
  return native.liveTensors();
}

/** Runs fn with gradient tracking off (PyTorch's `with torch.no_grad()`), restoring the mode after. */
export function noGrad<T>(fn: () => T): T {
  const previous = native.setGradEnabled(false);
  try {
    return fn();
  } finally {
    native.setGradEnabled(previous);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}

