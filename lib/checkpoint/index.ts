// Checkpoint files: torch.save's zip format and safetensors, read weights-only and written so Python
// reads them (torch.load, also with weights_only=True; safetensors' load_file). The threat model and the
// limits are in docs/security.md.
import * as fs from 'fs';
import { constants as bufferConstants } from 'buffer';
import * as path from 'path';
import { CheckpointError } from '../errors';
import type { CheckpointErrorCode } from '../errors';
import { native } from '../native';
import { Tensor } from '../tensor';
import { byDtype } from './dtypes';
import { isLegacyTorch, isZip, readPytorch, writePytorch } from './pytorch';
import type { CheckpointDict, CheckpointValue } from './pytorch';
import { isSafetensors, readSafetensors, writeSafetensors } from './safetensors';
import type { Fail } from './zip';

export type { CheckpointDict, CheckpointValue };
export type CheckpointFormat = 'pytorch' | 'safetensors';

export function formatOf(file: string, format: CheckpointFormat | undefined): CheckpointFormat {
  return format ?? (path.extname(file).toLowerCase() === '.safetensors' ? 'safetensors' : 'pytorch');
}

function failFor(file: string): Fail {
  return (code: CheckpointErrorCode, message: string): never => {
    throw new CheckpointError(file, code, message);
  };
}

/** The whole file, read in pieces (readFileSync stops at 2 GiB); only regular files (a FIFO would hang). */
function readWhole(file: string, fail: Fail): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail('ERR_CHECKPOINT_READ', `cannot read the checkpoint: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) fail('ERR_CHECKPOINT_READ', 'not a regular file');
    if (stat.size > bufferConstants.MAX_LENGTH) fail('ERR_CHECKPOINT_LIMIT', `a file of ${stat.size} bytes is larger than this Node.js can hold in memory (${bufferConstants.MAX_LENGTH})`);
    const buf = Buffer.allocUnsafe(stat.size);
    let at = 0;
    while (at < buf.length) {
      const n = fs.readSync(fd, buf, at, Math.min(buf.length - at, 1 << 30), at);
      if (n === 0) fail('ERR_CHECKPOINT_READ', `the file shrank while it was read (${at} of ${stat.size} bytes)`);
      at += n;
    }
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

export interface ReadOptions {
  /** true (default): the file must hold a flat dict of name -> tensor. false: any weights-only structure. */
  tensorsOnly: boolean;
  format?: CheckpointFormat;
}

/** Reads and validates a checkpoint; throws CheckpointError naming the file and the problem. */
export function readCheckpoint(file: string, options: ReadOptions): unknown {
  const fail = failFor(file);
  const buf = readWhole(file, fail);
  // By extension, else by content: a safetensors file under another name is still read as one.
  const format = options.format ?? (formatOf(file, undefined) === 'safetensors' || (!isZip(buf) && isSafetensors(buf)) ? 'safetensors' : 'pytorch');
  if (format === 'safetensors') return readSafetensors(buf, fail).tensors;
  if (isZip(buf)) return readPytorch(buf, options.tensorsOnly, fail);
  if (isLegacyTorch(buf)) {
    fail('ERR_CHECKPOINT_FORMAT', "torch.save's legacy format (before PyTorch 1.6, or _use_new_zipfile_serialization=False) is not supported; re-save it with a current torch.save");
  }
  return fail('ERR_CHECKPOINT_FORMAT', 'not a checkpoint (neither a torch.save zip archive nor a safetensors file)');
}

export interface WriteOptions {
  format?: CheckpointFormat;
  /** Test hook: zip64 records even for small files. */
  forceZip64?: boolean;
}

/**
 * Writes name -> tensor to `file` atomically (a temporary file beside it, then a rename, so a crash
 * leaves any old file intact). Tensors are written from the CPU, contiguous, one at a time.
 */
export function writeCheckpoint(names: string[], tensors: Tensor[], file: string, options: WriteOptions = {}): void {
  const format = formatOf(file, options.format);
  const entries = tensors.map((t, i) => {
    const info = byDtype(t.dtype);
    const sizes = t.shape;
    const numel = sizes.reduce((a, b) => a * b, 1);
    const handle = t.handle;
    return { name: names[i], info, storage: info.storage, sizes, numel, size: numel * info.size, bytes: () => native.tensorsToBytes([handle])[0] };
  });
  if (format === 'safetensors' && names.includes('__metadata__')) throw new RangeError("Expected tensor names other than '__metadata__' for a safetensors file but received '__metadata__'");
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      const write = (chunk: Uint8Array): void => {
        for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd, chunk, at, chunk.length - at);
      };
      if (format === 'safetensors') writeSafetensors(entries, { format: 'pt' }, write);
      else writePytorch(entries, write, options.forceZip64);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
