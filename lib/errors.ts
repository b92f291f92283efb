/**
 * The one error class for everything libtorch rejects (shape mismatches, out-of-range indices, dtype
 * errors, unreadable checkpoints) and for use of disposed tensors. The message is libtorch's own,
 * without its C++ backtrace. Argument errors caught before reaching libtorch are `TypeError`s or
 * `RangeError`s that name the parameter.
 */
export class TorchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchError';
  }
}
