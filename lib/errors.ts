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

/** Why a checkpoint was refused; `CheckpointError.code` holds one. */
export type CheckpointErrorCode =
  | 'ERR_CHECKPOINT_READ' // the file cannot be read (missing, a folder, permissions)
  | 'ERR_CHECKPOINT_FORMAT' // not a torch.save zip or safetensors file, or a layout this reader does not know
  | 'ERR_CHECKPOINT_ZIP' // a malformed zip archive
  | 'ERR_CHECKPOINT_PICKLE' // a malformed pickle, or one that needs more than a state dict does
  | 'ERR_CHECKPOINT_UNSAFE' // a pickle that names a class or function outside the weights-only allowlist
  | 'ERR_CHECKPOINT_STORAGE' // a tensor whose storage, offset, sizes or strides do not fit its bytes
  | 'ERR_CHECKPOINT_DTYPE' // a dtype this library does not support (complex, quantized, ...)
  | 'ERR_CHECKPOINT_LIMIT' // the file asks for more work or memory than its size justifies
  | 'ERR_CHECKPOINT_CONTENT'; // well formed, but not what was asked for (a non-tensor in a state dict)

/**
 * A checkpoint file that `load` refuses: the message names the file and what was wrong, `code` says
 * which kind of problem it was, `file` is the path. A TorchError, so existing handlers still catch it.
 */
export class CheckpointError extends TorchError {
  readonly code: CheckpointErrorCode;
  readonly file: string;
  constructor(file: string, code: CheckpointErrorCode, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CheckpointError';
    this.code = code;
    this.file = file;
  }
}
