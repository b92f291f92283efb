// Shared by the tests that compare the fused CPU recurrent kernels with libtorch's own path.
import { backends } from '../../lib';

/** The largest absolute difference, relative to the largest magnitude in `b` (absolute when b is all 0). */
export function maxRelError(a: Float64Array, b: Float64Array): number {
  expect(a.length).toBe(b.length);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return scale === 0 ? err : err / scale;
}

/** Runs fn with the fused CPU RNN switch set to `fused`, restoring it after. */
export function withFused<T>(fused: boolean, fn: () => T): T {
  const previous = backends.setFusedCpuRnn(fused);
  try {
    return fn();
  } finally {
    backends.setFusedCpuRnn(previous);
  }
}
