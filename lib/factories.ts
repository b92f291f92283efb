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

// The integer dtypes' ranges, for the checks of tensor(): a value outside is an error, not wrapped.
const INT_RANGE: Partial<Record<DType, readonly [bigint, bigint]>> = {
  uint8: [0n, 255n],
  int8: [-128n, 127n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
// Integer typed arrays whose every value fits a dtype: converting them needs no check.
const FITS: Partial<Record<DType, readonly DType[]>> = {
  uint8: ['uint8', 'int16', 'int32', 'int64'],
  int8: ['int8', 'int16', 'int32', 'int64'],
  int16: ['int16', 'int32', 'int64'],
  int32: ['int32', 'int64'],
  int64: ['int64'],
};

/**
 * Refuses data that would not convert to the integer dtype exactly: a NaN or infinity, a fraction, or
 * a value outside the dtype's range (libtorch would give INT64_MIN, truncate, or wrap around).
 */
function checkIntegerData(data: ArrayLike<number | bigint>, dtype: DType): void {
  const range = INT_RANGE[dtype];
  if (range === undefined) return;
  const [lo, hi] = range;
  const nlo = Number(lo);
  const nhi = Number(hi) + (dtype === 'int64' ? 0 : 1); // exclusive; 2**63 - 1 is not a double, 2**63 is
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'bigint') {
      if (v < lo || v > hi) throw new RangeError(`Expected values in [${lo}, ${hi}] in data for dtype ${dtype} (its range) but found ${v} (data[${i}])`);
      continue;
    }
    if (!Number.isFinite(v)) throw new TypeError(`Expected finite numbers in data for dtype ${dtype} but found ${v} (data[${i}])`);
    if (!Number.isInteger(v)) throw new TypeError(`Expected integers in data for dtype ${dtype} but found ${v} (data[${i}])`);
    if (v < nlo || v >= nhi) throw new RangeError(`Expected values in [${lo}, ${hi}] in data for dtype ${dtype} (its range) but found ${v} (data[${i}])`);
  }
}

/** True when the typed array's buffer has been detached (transferred to a worker, say): it reads as empty. */
function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer); // throws on a detached buffer
    return false;
  } catch {
    return true;
  }
}

/**
 * Creates a tensor from a typed array (copied), nested arrays, a number or a boolean.
 * dtype defaults to the typed array's own (Float32Array -> float32, BigInt64Array -> int64, ...);
 * for JS numbers it is float32 (JS cannot tell 1 from 1.0), for booleans bool.
 *
 * Conversions to another dtype are exact or refused, the same for typed arrays and nested arrays: to
 * an integer dtype, a NaN, an infinity or a fraction is a TypeError and a value outside the dtype's
 * range a RangeError (naming the element); to bool, any non-zero value (NaN too) is true; to a floating
 * dtype, values round to the nearest representable one, as in PyTorch (beyond float16's or float32's
 * range that is ±Infinity). A typed array whose buffer was detached is a TypeError.
 */
export function tensor(data: TypedArray | NestedArray, options: TensorOptions = {}): Tensor {
  const o = creationOptions('options', options);
  let flat: TypedArray;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTypedArray(data);
    if (own === null) throw invalid('data', 'a Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array or Int16Array', data);
    if (isDetached(data)) throw new TypeError(`Expected a typed array with its data for data but received a ${data.constructor.name} whose ArrayBuffer is detached`);
    flat = data as TypedArray;
    shape = o.shape ?? [flat.length];
    dtype = o.dtype ?? own;
    if (dtype !== own && !FITS[own]?.includes(dtype)) checkIntegerData(flat, dtype);
  } else if (Array.isArray(data) || typeof data === 'number' || typeof data === 'boolean') {
    const nested = flattenNested(data);
    const allBool = nested.values.length > 0 && nested.values.every((v) => typeof v === 'boolean');
    dtype = o.dtype ?? (allBool ? 'bool' : 'float32');
    const nums = nested.values.map(Number);
    checkIntegerData(nums, dtype);
    flat = dtype === 'bool' ? Uint8Array.from(nums, (v) => (v !== 0 ? 1 : 0)) : Float64Array.from(nums);
    shape = o.shape ?? nested.shape;
  } else {
    throw invalid('data', 'a TypedArray, a number, a boolean or a nested array of numbers', data);
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== flat.length) {
    throw new RangeError(`Expected shape [${shape.join(', ')}] (${numel} elements) to match data of ${flat.length} elements`);
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
