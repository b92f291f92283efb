// The CUDA index guard. On CUDA an out-of-range index (a token id past the vocabulary, a class index
// past the logits, an index tensor past a dimension) is a device-side assert, and a device-side assert
// poisons the process's CUDA context: every later CUDA call fails until the process exits. So integer
// indices bound for the GPU are range-checked on the host first. On the CPU libtorch checks and throws
// by itself, so every check here is a no-op there.
import { TorchError } from './errors';
import { native } from './native';
import { tidy } from './scope';
import type { Tensor } from './tensor';

// Value ranges of integer tensors made on the host from typed arrays, so the checks need no device
// reduction and sync for them (the common case: token ids of a batch).
const knownRanges = new WeakMap<Tensor, [number, number]>();

/** @internal [min, max] of an integer tensor whose values were seen on the host, if known. */
export function knownRange(t: Tensor): [number, number] | undefined {
  return knownRanges.get(t);
}

/** @internal Records the value range of `t`, a CUDA integer tensor just made from `data` on the host. */
export function recordRange(t: Tensor, data: ArrayLike<number>): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  knownRanges.set(t, [lo, hi]);
}

const INDEX_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8']);

// One reduction of `t` (amin or amax) read back to the host: a sync, which is the point.
function reduceToNumber(kind: 'amin' | 'amax', t: Tensor): number {
  const h = native.reduce(kind, t.handle, undefined, false);
  try {
    return native.item(h) as number;
  } finally {
    native.dispose(h);
  }
}

/** [min, max] of a non-empty integer tensor: from the host record when there is one, else on the device. */
function valueRange(t: Tensor): [number, number] {
  return knownRange(t) ?? [reduceToNumber('amin', t), reduceToNumber('amax', t)];
}

/**
 * @internal Checks that the integer tensor `index` holds valid indices into dimension `dim` of
 * `target` when `target` is on a CUDA device (negative indices count from the end when
 * `allowNegative`). Throws a TorchError naming `name` and the range found. Used by indexing,
 * indexSelect, gather and embeddings.
 */
export function checkCudaIndices(name: string, index: Tensor, target: Tensor, dim: number, allowNegative: boolean): void {
  if (!target.device.startsWith('cuda') || index.numel === 0 || !INDEX_DTYPES.has(index.dtype)) return;
  const n = target.ndim;
  const d = dim < 0 ? dim + n : dim;
  if (d < 0 || d >= n) return; // libtorch reports the bad dim on the host
  const size = target.shape[d];
  const [lo, hi] = valueRange(index);
  if (hi >= size || lo < (allowNegative ? -size : 0)) {
    throw new TorchError(`index out of range: ${name} holds values in [${lo}, ${hi}] but dimension ${d} has size ${size}`);
  }
}

/**
 * @internal Checks the class indices of a cross-entropy `target` against `classes` when `input` is on
 * a CUDA device: each must be in [0, classes) or equal `ignoreIndex`. Probability targets (floating
 * dtypes) are not indices and pass.
 */
export function checkCudaClassTargets(input: Tensor, target: Tensor, classes: number, ignoreIndex: number): void {
  if (!input.device.startsWith('cuda') || target.numel === 0 || !INDEX_DTYPES.has(target.dtype)) return;
  let [lo, hi] = valueRange(target);
  if (lo < 0 || hi >= classes) {
    // The ignored index (-100 by default) is out of range on purpose: look again without it.
    [lo, hi] = tidy(() => {
      const kept = target.maskedSelect(target.ne(ignoreIndex));
      return kept.numel === 0 ? [0, 0] : [kept.amin().item() as number, kept.amax().item() as number];
    });
  }
  if (lo < 0 || hi >= classes) throw new TorchError(`Target ${lo < 0 ? lo : hi} is out of bounds: class indices must be in [0, ${classes})`);
}
