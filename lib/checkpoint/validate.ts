// The one way a checkpoint's bytes become tensors: every view is checked against the bytes of its storage
// (non-negative, overflow-free, inside the storage), the total work is capped by the file's size, and
// then all tensors are made by one native call that copies the validated bytes (and re-checks the
// bounds). Either every tensor is returned or none exists: nothing leaks when a later step fails.
import { native } from '../native';
import { dtypeCode, isFloating } from '../dtype';
import { Tensor, wrap } from '../tensor';
import type { Fail } from './zip';
import type { DtypeInfo } from './dtypes';

/**
 * How many bytes of tensors a file may expand to, as a multiple of its size (plus EXPANSION_SLACK):
 * views of one storage are copied apart, so tied weights count twice, but a 1 KB file cannot ask for
 * 1 TB through a zero stride.
 */
export const MAX_EXPANSION = 4;
export const EXPANSION_SLACK = 1 << 20;

export interface TensorSpec {
  /** Names the tensor in error messages ("'fc.weight'", "storage 3"). */
  where: string;
  info: DtypeInfo;
  /** Where the storage's bytes lie in the file buffer. */
  byteOffset: number;
  byteLength: number;
  /** In elements. */
  storageOffset: number;
  sizes: number[];
  strides: number[];
  requiresGrad: boolean;
}

/** Row-major strides for a shape, as torch.save and safetensors lay tensors out. */
export function contiguousStrides(sizes: number[]): number[] {
  const strides = new Array<number>(sizes.length);
  let s = 1;
  for (let d = sizes.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= sizes[d];
  }
  return strides;
}

function mul(a: number, b: number): number {
  const p = a * b;
  return Number.isSafeInteger(p) ? p : Infinity;
}

/** Checks one view against its storage; returns its element count. */
export function checkView(spec: TensorSpec, fail: Fail): number {
  const { where, info, byteLength, storageOffset, sizes, strides } = spec;
  if (sizes.length !== strides.length) fail('ERR_CHECKPOINT_STORAGE', `${where}: ${sizes.length} sizes but ${strides.length} strides`);
  if (byteLength % info.size !== 0) fail('ERR_CHECKPOINT_STORAGE', `${where}: a storage of ${byteLength} bytes is not a whole number of ${info.dtype} elements`);
  const storageNumel = byteLength / info.size;
  const check = (what: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v < 0) fail('ERR_CHECKPOINT_STORAGE', `${where}: ${what} is ${v} (must be a non-negative integer)`);
  };
  sizes.forEach((s, d) => check(`size[${d}]`, s));
  strides.forEach((s, d) => check(`stride[${d}]`, s));
  check('storage offset', storageOffset);
  let numel = 1;
  let last = storageOffset;
  for (let d = 0; d < sizes.length; d++) {
    numel = mul(numel, sizes[d]);
    if (sizes[d] > 0) last += mul(sizes[d] - 1, strides[d]);
  }
  if (!Number.isSafeInteger(numel)) fail('ERR_CHECKPOINT_STORAGE', `${where}: shape [${sizes.join(', ')}] has more elements than 2^53`);
  if (numel > 0 && !(last < storageNumel)) {
    fail('ERR_CHECKPOINT_STORAGE', `${where}: shape [${sizes.join(', ')}] with strides [${strides.join(', ')}] at offset ${storageOffset} reaches element ${last} of a storage of ${storageNumel}`);
  }
  if (numel === 0 && storageOffset > storageNumel) fail('ERR_CHECKPOINT_STORAGE', `${where}: offset ${storageOffset} is past its storage of ${storageNumel} elements`);
  return numel;
}

/**
 * Validates every spec, then makes all tensors from `file` in one native call. The file's size scales
 * the cap on the bytes the tensors may take.
 */
export function materialize(file: Uint8Array, specs: TensorSpec[], fail: Fail): Tensor[] {
  let total = 0;
  const budget = MAX_EXPANSION * file.length + EXPANSION_SLACK;
  const flat: number[][] = [];
  for (const spec of specs) {
    if (spec.byteOffset < 0 || spec.byteOffset + spec.byteLength > file.length) fail('ERR_CHECKPOINT_STORAGE', `${spec.where}: storage bytes lie outside the file`);
    const numel = checkView(spec, fail);
    total += numel * spec.info.size;
    if (total > budget) {
      fail('ERR_CHECKPOINT_LIMIT', `its tensors would take more than ${budget} bytes, ${MAX_EXPANSION}x the file's size (views that repeat their storage through zero strides or overlap)`);
    }
    flat.push([spec.byteOffset, spec.byteLength, dtypeCode('dtype', spec.info.dtype), spec.storageOffset, spec.sizes.length, ...spec.sizes, ...spec.strides]);
  }
  const handles = native.tensorsFromBytes(file, flat);
  const tensors = handles.map((h) => wrap(h));
  try {
    specs.forEach((spec, i) => {
      if (spec.requiresGrad && isFloating(spec.info.dtype)) tensors[i].requiresGrad_(true);
    });
  } catch (e) {
    for (const t of tensors) t.dispose();
    throw e;
  }
  return tensors;
}
