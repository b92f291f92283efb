// Checkpoints that move between Python and Node: dicts of tensors in torch.save's format or safetensors.
// Loading is weights-only (lib/checkpoint/, docs/security.md): no code from the file runs and no
// untrusted byte reaches a libtorch parser.
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { CheckpointDict, CheckpointFormat, CheckpointValue } from './checkpoint';
import { Tensor } from './tensor';
import { checkKeys, checkString, invalid } from './validate';

export type { CheckpointDict, CheckpointValue, CheckpointFormat } from './checkpoint';

export interface SaveOptions {
  /** 'safetensors' for a .safetensors file (the default for that extension), else torch.save's zip. */
  format?: CheckpointFormat;
}

export interface LoadOptions {
  /**
   * true (the default): the file must hold a flat dict of name -> tensor, as a state dict does. false:
   * any weights-only structure (nested dicts, lists, numbers, strings...), as torch.load(weights_only=True).
   */
  tensorsOnly?: boolean;
  format?: CheckpointFormat;
}

function checkFormat(o: { format?: unknown }): CheckpointFormat | undefined {
  if (o.format !== undefined && o.format !== 'pytorch' && o.format !== 'safetensors') throw invalid('options.format', "'pytorch' or 'safetensors'", o.format);
  return o.format as CheckpointFormat | undefined;
}

function checkOptions(options: unknown, keys: string[]): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalid('options', 'an object', options);
  checkKeys('options', options as Record<string, unknown>, keys);
  return options as Record<string, unknown>;
}

/**
 * Writes a state dict (name -> tensor) to `file`: Python's `torch.load` (also with `weights_only=True`)
 * reads a torch.save file as a dict, safetensors' `load_file` a `.safetensors` one. The write is atomic:
 * a temporary file beside it, then a rename, so a crash leaves any old file intact.
 */
export function save(stateDict: Record<string, Tensor>, file: string, options: SaveOptions = {}): void {
  checkString('file', file);
  const format = checkFormat(checkOptions(options, ['format']));
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) throw invalid('stateDict', 'an object of name: Tensor', stateDict);
  const names = Object.keys(stateDict);
  const tensors = names.map((n) => {
    const t = stateDict[n];
    if (!(t instanceof Tensor)) throw invalid(`stateDict['${n}']`, 'a Tensor', t);
    return t;
  });
  writeCheckpoint(names, tensors, file, { format });
}

/**
 * Reads a dict of tensors saved by `save`, by Python's `torch.save(model.state_dict(), f)` (a dict or an
 * OrderedDict) or as safetensors (by extension or content). Weights-only: only tensors and plain
 * containers are rebuilt, every tensor is checked against the file's bytes, and anything else is a
 * `CheckpointError` naming the file and the problem. Tensors come back on the CPU. The result is a
 * null-prototype object (a "__proto__" key is just a key).
 */
export function load(file: string, options?: LoadOptions & { tensorsOnly?: true }): Record<string, Tensor>;
export function load(file: string, options: LoadOptions & { tensorsOnly: false }): CheckpointDict | CheckpointValue;
export function load(file: string, options: LoadOptions = {}): unknown {
  checkString('file', file);
  const o = checkOptions(options, ['tensorsOnly', 'format']);
  if (o.tensorsOnly !== undefined && typeof o.tensorsOnly !== 'boolean') throw invalid('options.tensorsOnly', 'a boolean', o.tensorsOnly);
  return readCheckpoint(file, { tensorsOnly: o.tensorsOnly !== false, format: checkFormat(o) });
}
