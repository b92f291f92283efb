// Factories: the functions that make tensors from data (tensor), from a shape (zeros, ones, empty,
// full, randn, rand, randint, arange, zerosLike, onesLike) and from other tensors (cat, stack, where).
import { DType, TypedArray, dtypeCode, dtypeName, dtypeOfTypedArray, isFloating } from './dtype';
import { DeviceLike, deviceName } from './device';
import { recordRange } from './cuda-guard';
import { TorchError } from './errors';
import { native } from './native';
import { NestedArray, Tensor, TensorOptions, wrap } from './tensor';
import { checkBoolean, checkInteger, checkNumber, checkObject, checkKeys, checkShape, checkTensor, invalid } from './validate';

function creationOptions(name: string, options: unknown): { dtype?: DType; device?: string; requiresGrad: boolean; shape?: number[] } {
  const o = checkObject(name, options);
  checkKeys(name, o, ['shape', 'dtype', 'device', 'requiresGrad']);
  return {
    shape: o.shape === undefined ? undefined : checkShape('shape', o.shape),
    dtype: o.dtype === undefined ? undefined : (dtypeName(dtypeCode('dtype', o.dtype)) as DType),
    device: o.device === undefined ? undefined : deviceName('device', o.device as DeviceLike),
    requiresGrad: o.requiresGrad === undefined ? false : checkBoolean('requiresGrad', o.requiresGrad),
  };
}

function finish(t: Tensor, requiresGrad: boolean): Tensor {
  if (requiresGrad) {
    if (!isFloating(t.dtype)) {
      t.dispose();
      throw new TorchError('Only tensors of floating point dtype can require gradients');
    }
    t.requiresGrad_(true);
  }
  return t;
}

/** Flattens nested arrays, checking that they are rectangular and hold numbers or booleans. */
function flattenNested(data: NestedArray): { values: (number | boolean)[]; shape: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe.length ? probe[0] : 0;
  }
  const values: (number | boolean)[] = [];
  const walk = (v: NestedArray, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' && typeof v !== 'boolean') throw invalid(`data${at}`, 'a number or boolean', v);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new TypeError(`Expected data to be a rectangular nested array: data${at} should be an array of length ${shape[depth]} but is ${Array.isArray(v) ? `of length ${v.length}` : typeof v}`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(data, 0, '');
  return { values, shape };
}

/**
 * Creates a tensor from a typed array (copied), nested arrays, a number or a boolean.
 * dtype defaults to the typed array's own (Float32Array -> float32, BigInt64Array -> int64, ...);
 * for JS numbers it is float32 (JS cannot tell 1 from 1.0), for booleans bool.
 */
export function tensor(data: TypedArray | NestedArray, options: TensorOptions = {}): Tensor {
  const o = creationOptions('options', options);
  let flat: TypedArray;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTypedArray(data);
    if (own === null) throw invalid('data', 'a Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array or Int16Array', data);
    flat = data as TypedArray;
    shape = o.shape ?? [flat.length];
    dtype = o.dtype ?? own;
  } else if (Array.isArray(data) || typeof data === 'number' || typeof data === 'boolean') {
    const nested = flattenNested(data);
    const allBool = nested.values.length > 0 && nested.values.every((v) => typeof v === 'boolean');
    dtype = o.dtype ?? (allBool ? 'bool' : 'float32');
    const nums = nested.values.map(Number);
    if (!isFloating(dtype) && nums.some((v) => !Number.isFinite(v))) {
      throw new TypeError(`Expected finite numbers in data for dtype ${dtype} but found ${nums.find((v) => !Number.isFinite(v))}`);
    }
    flat = isFloating(dtype) ? Float64Array.from(nums) : dtype === 'bool' ? Uint8Array.from(nums, (v) => (v ? 1 : 0)) : Float64Array.from(nums);
    shape = o.shape ?? nested.shape;
  } else {
    throw invalid('data', 'a TypedArray, a number, a boolean or a nested array of numbers', data);
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== flat.length) {
    throw new RangeError(`Expected shape [${shape.join(', ')}] (${numel} elements) to match data of ${flat.length} elements`);
  }
  if (flat instanceof Float64Array && !isFloating(dtype) && dtype !== 'bool') {
    const bad = flat.find((v) => !Number.isInteger(v));
    if (bad !== undefined) throw new TypeError(`Expected integers in data for dtype ${dtype} but found ${bad}`);
  }
  const t = finish(wrap(native.fromTypedArray(flat, shape, dtypeCode('dtype', dtype), o.device)), o.requiresGrad);
  if (o.device?.startsWith('cuda') && (flat instanceof Int32Array || flat instanceof Int16Array || flat instanceof Int8Array || flat instanceof Uint8Array) && dtype !== 'bool') {
    recordRange(t, flat);
  }
  return t;
}

type FactoryOptions = Omit<TensorOptions, 'shape'>;

function factory(kind: string, shape: number[], options: FactoryOptions, a?: number, b?: number): Tensor {
  checkShape('shape', shape);
  const o = creationOptions('options', options);
  const dtype = o.dtype ?? (kind === 'randint' ? 'int64' : 'float32');
  if ((kind === 'randn' || kind === 'rand') && !isFloating(dtype)) throw invalid('dtype', 'a floating point dtype', dtype);
  return finish(wrap(native.factory(kind, shape, dtypeCode('dtype', dtype), o.device, a, b)), o.requiresGrad);
}

export function zeros(shape: number[], options: FactoryOptions = {}): Tensor {
  return factory('zeros', shape, options);
}
export function ones(shape: number[], options: FactoryOptions = {}): Tensor {
  return factory('ones', shape, options);
}
export function empty(shape: number[], options: FactoryOptions = {}): Tensor {
  return factory('empty', shape, options);
}
export function full(shape: number[], value: number, options: FactoryOptions = {}): Tensor {
  return factory('full', shape, options, checkNumber('value', value, { finite: false }));
}
/** Standard normal samples, from the generator seeded by manualSeed. */
export function randn(shape: number[], options: FactoryOptions = {}): Tensor {
  return factory('randn', shape, options);
}
/** Uniform samples in [0, 1). */
export function rand(shape: number[], options: FactoryOptions = {}): Tensor {
  return factory('rand', shape, options);
}
/** Integers uniform in [low, high); int64 unless dtype says otherwise. */
export function randint(low: number, high: number, shape: number[], options: FactoryOptions = {}): Tensor {
  checkInteger('low', low);
  checkInteger('high', high);
  if (high <= low) throw new RangeError(`Expected high > low but received low ${low}, high ${high}`);
  return factory('randint', shape, options, low, high);
}
/** `arange(end)` or `arange(start, end, step)`; int64 for integer arguments, else float32. */
export function arange(start: number, end?: number, step = 1, options: FactoryOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  checkNumber('start', start);
  checkNumber('end', end);
  checkNumber('step', step);
  if (step === 0) throw new RangeError('Expected a non-zero step for arange');
  const o = creationOptions('options', options);
  const ints = [start, end, step].every(Number.isInteger);
  const dtype = o.dtype ?? (ints ? 'int64' : 'float32');
  return finish(wrap(native.arange(start, end, step, dtypeCode('dtype', dtype), o.device)), o.requiresGrad);
}
export function zerosLike(t: Tensor, options: FactoryOptions = {}): Tensor {
  checkTensor('t', t);
  return zeros(t.shape, { dtype: t.dtype, device: t.device, ...options });
}
export function onesLike(t: Tensor, options: FactoryOptions = {}): Tensor {
  checkTensor('t', t);
  return ones(t.shape, { dtype: t.dtype, device: t.device, ...options });
}

function tensorList(name: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) throw invalid(name, 'a non-empty array of Tensors', tensors);
  return tensors.map((t, i) => checkTensor(`${name}[${i}]`, t));
}
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.cat(tensorList('tensors', tensors).map((t) => t.handle), checkInteger('dim', dim)));
}
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return wrap(native.stack(tensorList('tensors', tensors).map((t) => t.handle), checkInteger('dim', dim)));
}
export function where(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  return wrap(native.where(checkTensor('condition', condition).handle, checkTensor('input', a).handle, checkTensor('other', b).handle));
}
