// Process settings of libtorch and the libraries under it: the random seed, thread counts, denormal
// flushing, the allocator. Each acts on the whole process, as its PyTorch namesake does.
import { native } from './native';
import { MAX_THREADS, checkBoolean, checkInteger, checkKeys, checkObject } from './validate';

export { MAX_THREADS };

/** Seeds libtorch's CPU and CUDA generators, as torch.manual_seed does. */
export function manualSeed(seed: number): void {
  checkInteger('seed', seed, 0, Number.MAX_SAFE_INTEGER);
  native.manualSeed(seed);
}

/** torch.set_num_threads: the threads of libtorch's intra-op pool, 1 to MAX_THREADS. */
export function setNumThreads(threads: number): void {
  native.setNumThreads(checkInteger('threads', threads, 1, MAX_THREADS));
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

/**
 * torch.set_flush_denormal: treat denormal floats as zero on the CPU. Gradients that vanish through
 * long recurrences (the tutorial's RNN over 250-token reviews) become denormals, which the CPU
 * computes far slower than normal floats. Returns false where the CPU does not support it.
 */
export function setFlushDenormal(on: boolean): boolean {
  return native.setFlushDenormal(checkBoolean('on', on));
}

/**
 * Threads of OpenBLAS itself, when libtorch's BLAS is OpenBLAS (Debian's libopenblas0-pthread):
 * setNumThreads does not reach it, and by default it starts one busy-waiting thread per core.
 * Returns false when the BLAS in use is not OpenBLAS.
 */
export function setBlasThreads(threads: number): boolean {
  return native.setBlasThreads(checkInteger('threads', threads, 1, MAX_THREADS));
}

/**
 * Raises glibc's mmap threshold (default 32 MiB, glibc's maximum on 64-bit) and trim threshold
 * (default 256 MiB) so large tensor buffers are reused from the heap instead of mapped and unmapped
 * on every allocation, which dominates recurrent backward passes on the CPU, at the cost of holding
 * freed memory in the process. Same effect as the environment variables
 * MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_. Returns false where not supported (non-glibc).
 */
export function tuneAllocator(options: { mmapThreshold?: number; trimThreshold?: number } = {}): boolean {
  const o = checkObject('options', options);
  checkKeys('tuneAllocator', o, ['mmapThreshold', 'trimThreshold']);
  const max = 2 ** 31 - 1;
  const mmap = o.mmapThreshold === undefined ? 32 * 2 ** 20 : checkInteger('mmapThreshold', o.mmapThreshold, 0, 32 * 2 ** 20);
  const trim = o.trimThreshold === undefined ? 256 * 2 ** 20 : checkInteger('trimThreshold', o.trimThreshold, 0, max);
  return native.setMallocThresholds(mmap, trim);
}
