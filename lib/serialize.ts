// Checkpoints that move between Python and Node: a dict of tensors in torch.save's format.
import * as fs from 'fs';
import * as path from 'path';
import { TorchError } from './errors';
import { native } from './native';
import { Tensor, wrap } from './tensor';
import { checkString, invalid } from './validate';

/**
 * Writes a state dict (name -> tensor) to `file` in a format Python's `torch.load` reads as a dict.
 * The write is atomic: a temporary file beside it, then a rename, so a crash leaves any old file intact.
 */
export function save(stateDict: Record<string, Tensor>, file: string): void {
  checkString('file', file);
  if (stateDict === null || typeof stateDict !== 'object' || Array.isArray(stateDict)) throw invalid('stateDict', 'an object of name: Tensor', stateDict);
  const names = Object.keys(stateDict);
  const tensors = names.map((n) => {
    const t = stateDict[n];
    if (!(t instanceof Tensor)) throw invalid(`stateDict['${n}']`, 'a Tensor', t);
    return t.handle;
  });
  const bytes = native.pickleSave(names, tensors);
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, bytes);
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

/**
 * Reads a dict of tensors saved by `save` or by Python's `torch.save(dict(model.state_dict()), f)`.
 * Only tensors and plain containers are rebuilt: no code from the file runs.
 */
export function load(file: string): Record<string, Tensor> {
  checkString('file', file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new TorchError(`cannot read checkpoint ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const orderedDict = new TorchError(
    `${file} holds an OrderedDict (torch.save(model.state_dict(), f)), which libtorch cannot read; save a plain dict instead: torch.save(dict(model.state_dict()), f)`,
  );
  // The top-level pickle of torch.save(model.state_dict()) opens with the OrderedDict global right after
  // the protocol marker. (Every saved tensor also carries an empty OrderedDict for hooks, later on, so
  // the bare name alone says nothing.)
  const topLevelOrderedDict = bytes.includes('\x80\x02ccollections\nOrderedDict', 0, 'latin1');
  if (topLevelOrderedDict) throw orderedDict;
  let result: { names: string[]; tensors: ReturnType<typeof native.pickleLoad>['tensors'] };
  try {
    result = native.pickleLoad(bytes);
  } catch (e) {
    throw new TorchError(`${file} is not a readable checkpoint (a dict of tensors saved by torch.save or save()): ${(e as Error).message.split('\n')[0]}`);
  }
  const out: Record<string, Tensor> = {};
  result.names.forEach((n, i) => (out[n] = wrap(result.tensors[i])));
  return out;
}
