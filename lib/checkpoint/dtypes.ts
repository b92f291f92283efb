// The dtypes a checkpoint may hold: each with its torch.save storage class and its safetensors name.
import type { DType } from '../dtype';

export interface DtypeInfo {
  dtype: DType;
  /** The element size in bytes. */
  size: number;
  /** The class torch.save names in a storage's persistent id (torch.<storage>). */
  storage: string;
  /** The name in a safetensors header. */
  safetensors: string;
}

export const CHECKPOINT_DTYPES: readonly DtypeInfo[] = [
  { dtype: 'float32', size: 4, storage: 'FloatStorage', safetensors: 'F32' },
  { dtype: 'float64', size: 8, storage: 'DoubleStorage', safetensors: 'F64' },
  { dtype: 'float16', size: 2, storage: 'HalfStorage', safetensors: 'F16' },
  { dtype: 'bfloat16', size: 2, storage: 'BFloat16Storage', safetensors: 'BF16' },
  { dtype: 'int64', size: 8, storage: 'LongStorage', safetensors: 'I64' },
  { dtype: 'int32', size: 4, storage: 'IntStorage', safetensors: 'I32' },
  { dtype: 'int16', size: 2, storage: 'ShortStorage', safetensors: 'I16' },
  { dtype: 'int8', size: 1, storage: 'CharStorage', safetensors: 'I8' },
  { dtype: 'uint8', size: 1, storage: 'ByteStorage', safetensors: 'U8' },
  { dtype: 'bool', size: 1, storage: 'BoolStorage', safetensors: 'BOOL' },
];

/** Dtypes PyTorch or safetensors write that this library has no tensors for: refused by name. */
const UNSUPPORTED: Record<string, string> = {
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
  ComplexHalfStorage: 'complex32',
  QInt8Storage: 'qint8',
  QUInt8Storage: 'quint8',
  QInt32Storage: 'qint32',
  QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4',
  C64: 'complex64',
  C128: 'complex128',
  U16: 'uint16',
  U32: 'uint32',
  U64: 'uint64',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
};

export const SUPPORTED_LIST = CHECKPOINT_DTYPES.map((d) => d.dtype).join(', ');

export function byStorage(name: string): DtypeInfo | undefined {
  return CHECKPOINT_DTYPES.find((d) => d.storage === name);
}

export function bySafetensors(name: string): DtypeInfo | undefined {
  return CHECKPOINT_DTYPES.find((d) => d.safetensors === name);
}

export function byDtype(dtype: DType): DtypeInfo {
  const info = CHECKPOINT_DTYPES.find((d) => d.dtype === dtype);
  if (!info) throw new Error(`no checkpoint dtype for ${dtype}`);
  return info;
}

/** The dtype a known-but-unsupported storage class or safetensors name stands for, if it is one. */
export function unsupportedDtype(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(UNSUPPORTED, name)) return UNSUPPORTED[name];
  if (/^Float8_\w+Storage$/.test(name)) return name.slice(0, -'Storage'.length).toLowerCase();
  if (/^F8_/.test(name)) return name.toLowerCase();
  return undefined;
}
