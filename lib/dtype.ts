// Data types, with the codes shared with native/convert.cc.
import { invalid } from './validate';

export const DTYPES = ['float32', 'float64', 'int32', 'int64', 'bool', 'uint8', 'int8', 'int16', 'float16', 'bfloat16'] as const;
export type DType = (typeof DTYPES)[number];

/** Typed arrays a tensor can be created from. */
export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Int16Array;

export function dtypeCode(name: string, dtype: unknown): number {
  const code = DTYPES.indexOf(dtype as DType);
  if (code < 0) throw invalid(name, `a dtype (${DTYPES.map((d) => `'${d}'`).join(', ')})`, dtype);
  return code;
}

export function dtypeName(code: number): DType {
  return DTYPES[code];
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** The dtype a typed array holds, as torch.from_numpy would map it. */
export function dtypeOfTypedArray(data: ArrayBufferView): DType | null {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  return null;
}
