// torch.save's format (PyTorch >= 1.6): a zip holding <prefix>/data.pkl (the object, pickled), one
// <prefix>/data/<key> record per storage, and <prefix>/version. Reading goes zip -> restricted unpickler
// -> a JS structure with tensor placeholders -> validated tensors made in one native call.
import type { Tensor } from '../tensor';
import { entryBytes, readZip, writeZip } from './zip';
import type { Fail, ZipEntry, ZipSource } from './zip';
import { MAX_DEPTH, PyDict, PyGlobal, PyList, PyTuple, StorageRef, TensorRef, describe, unpickle } from './unpickler';
import type { PyValue } from './unpickler';
import { pickleStateDict } from './pickle-writer';
import type { PickledTensor } from './pickle-writer';
import { contiguousStrides, materialize } from './validate';
import type { TensorSpec } from './validate';

/** What `load(file, { tensorsOnly: false })` can return: a checkpoint's plain data, with its tensors. */
export type CheckpointValue = Tensor | number | bigint | string | boolean | null | CheckpointValue[] | CheckpointDict;
export interface CheckpointDict {
  [key: string]: CheckpointValue;
}

const ZIP_MAGIC = 0x04034b50;

export function isZip(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32LE(0) === ZIP_MAGIC;
}

/** torch.save before PyTorch 1.6 (or with _use_new_zipfile_serialization=False): a bare pickle stream. */
export function isLegacyTorch(buf: Buffer): boolean {
  return buf.length >= 2 && buf[0] === 0x80 && buf[1] <= 5;
}

/** Finds <prefix>/data.pkl: exactly one, one folder deep, and every entry under the same folder. */
function archiveLayout(entries: Map<string, ZipEntry>, fail: Fail): { prefix: string; pickle: ZipEntry } {
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    const code = pickles.length === 0 && [...entries.keys()].some((n) => /\/code\//.test(n)) ? 'a TorchScript archive (torch.jit.save)' : `${pickles.length} data.pkl records`;
    fail('ERR_CHECKPOINT_FORMAT', `a zip archive with ${code}; expected one <name>/data.pkl as torch.save writes`);
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  for (const name of entries.keys()) {
    if (!name.startsWith(prefix) && !name.startsWith('.data/')) fail('ERR_CHECKPOINT_FORMAT', `entry ${JSON.stringify(name)} lies outside the archive's folder ${prefix}`);
  }
  return { prefix, pickle: entries.get(pickles[0]) as ZipEntry };
}

interface Slot {
  target: Record<string, unknown> | unknown[];
  key: string | number;
  ref: number;
}

/**
 * The pickle's value as JS: dicts become null-prototype objects (a "__proto__" key is just a key), lists
 * and tuples arrays, ints outside +-2^53 BigInts; tensors are left as slots to fill. The walk is bounded
 * (depth, and visits scaled by the pickle's length, since memo references can share subtrees) and
 * refuses cycles.
 */
function toJs(root: PyValue, pickleLength: number, tensorsOnly: boolean, fail: Fail): { holder: unknown[]; refs: TensorRef[]; names: string[]; slots: Slot[] } {
  const refs: TensorRef[] = [];
  const names: string[] = [];
  const index = new Map<TensorRef, number>();
  const slots: Slot[] = [];
  const onPath = new Set<object>();
  let visits = 0;
  const maxVisits = 4 * pickleLength + 1024;

  if (tensorsOnly && !(root instanceof PyDict)) {
    fail('ERR_CHECKPOINT_CONTENT', `holds ${describe(root)}, not a dict of tensors (load(file, { tensorsOnly: false }) reads other structures)`);
  }
  const visit = (v: PyValue, path: string, depth: number, target: Slot['target'], key: string | number): unknown => {
    if (++visits > maxVisits) fail('ERR_CHECKPOINT_LIMIT', `its structure expands to more than ${maxVisits} values (shared references), more than its size justifies`);
    if (depth > MAX_DEPTH) fail('ERR_CHECKPOINT_LIMIT', `containers nest deeper than ${MAX_DEPTH} levels`);
    if (tensorsOnly && depth === 1 && !(v instanceof TensorRef)) {
      fail('ERR_CHECKPOINT_CONTENT', `the value of ${path} is ${describe(v)}, not a tensor (load(file, { tensorsOnly: false }) reads nested and non-tensor values)`);
    }
    if (v instanceof TensorRef) {
      let i = index.get(v);
      if (i === undefined) {
        i = refs.length;
        index.set(v, i);
        refs.push(v);
        names.push(path);
      }
      slots.push({ target, key, ref: i });
      return null;
    }
    if (v instanceof StorageRef || v instanceof PyGlobal) return fail('ERR_CHECKPOINT_CONTENT', `${path} is ${describe(v)}, which a checkpoint value cannot be`);
    if (typeof v !== 'object' || v === null) return v;
    if (onPath.has(v)) fail('ERR_CHECKPOINT_PICKLE', `${path} contains itself (a reference cycle)`);
    onPath.add(v);
    let out: Record<string, unknown> | unknown[];
    if (v instanceof PyDict) {
      const obj: Record<string, unknown> = Object.create(null);
      for (const [k, item] of v.entries) {
        const name = String(k);
        if (Object.prototype.hasOwnProperty.call(obj, name)) fail('ERR_CHECKPOINT_CONTENT', `${path} has the key ${JSON.stringify(name)} twice (as a str and as an int)`);
        if (tensorsOnly && typeof k !== 'string') fail('ERR_CHECKPOINT_CONTENT', `${path} has the int key ${name}; a state dict's keys are names`);
        obj[name] = visit(item, depth === 0 ? `'${name}'` : `${path}['${name}']`, depth + 1, obj, name);
      }
      out = obj;
    } else {
      const items = (v as PyList | PyTuple).items;
      const arr: unknown[] = new Array(items.length).fill(null);
      items.forEach((item, j) => (arr[j] = visit(item, `${path}[${j}]`, depth + 1, arr, j)));
      out = arr;
    }
    onPath.delete(v);
    return out;
  };
  const holder: unknown[] = [null];
  holder[0] = visit(root, 'the checkpoint', 0, holder, 0);
  return { holder, refs, names, slots };
}

/** Reads a torch.save zip. Tensors come back on the CPU, contiguous, whatever device they were saved from. */
export function readPytorch(buf: Buffer, tensorsOnly: boolean, fail: Fail): unknown {
  const entries = readZip(buf, fail);
  const { prefix, pickle } = archiveLayout(entries, fail);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = entryBytes(buf, byteorder, fail).toString('latin1');
    if (order !== 'little') fail('ERR_CHECKPOINT_FORMAT', `byteorder ${JSON.stringify(order.slice(0, 20))}: only little-endian checkpoints are supported`);
  }
  const version = entries.get(`${prefix}version`);
  if (version) {
    const v = entryBytes(buf, version, fail).toString('latin1').trim();
    if (!/^[1-9]$/.test(v)) fail('ERR_CHECKPOINT_FORMAT', `version record ${JSON.stringify(v.slice(0, 20))} is not a format version`);
  }
  const pkl = entryBytes(buf, pickle, fail);
  const root = unpickle(pkl, (key) => entries.get(`${prefix}data/${key}`)?.size, fail);
  const { holder, refs, names, slots } = toJs(root, pkl.length, tensorsOnly, fail);
  const checked = new Set<string>();
  const specs: TensorSpec[] = refs.map((ref, i) => {
    const entry = entries.get(`${prefix}data/${ref.storage.key}`) as ZipEntry; // the unpickler checked it exists
    if (!checked.has(entry.name)) {
      entryBytes(buf, entry, fail);
      checked.add(entry.name);
    }
    return {
      where: `tensor ${names[i]}`,
      info: ref.storage.info,
      byteOffset: entry.offset,
      byteLength: entry.size,
      storageOffset: ref.storageOffset,
      sizes: ref.sizes,
      strides: ref.strides,
      requiresGrad: ref.requiresGrad,
    };
  });
  const tensors = materialize(buf, specs, fail);
  for (const slot of slots) (slot.target as Record<string, unknown>)[slot.key] = tensors[slot.ref];
  return holder[0];
}

export interface SavedTensor {
  name: string;
  storage: string;
  numel: number;
  /** In bytes. */
  size: number;
  sizes: number[];
  bytes: () => Uint8Array;
}

/** Writes a state dict as torch.save does (one storage per tensor, contiguous, on the CPU). */
export function writePytorch(tensors: SavedTensor[], write: (chunk: Uint8Array) => void, forceZip64 = false): void {
  const pickled: PickledTensor[] = tensors.map((t, i) => ({ name: t.name, storage: t.storage, key: String(i), numel: t.numel, sizes: t.sizes, strides: contiguousStrides(t.sizes) }));
  const pkl = pickleStateDict(pickled);
  const sources: ZipSource[] = [
    { name: 'archive/data.pkl', size: pkl.length, bytes: () => pkl },
    { name: 'archive/byteorder', size: 6, bytes: () => Buffer.from('little') },
    ...tensors.map((t, i) => ({ name: `archive/data/${i}`, size: t.size, bytes: t.bytes })),
    { name: 'archive/version', size: 2, bytes: () => Buffer.from('3\n') },
  ];
  writeZip(sources, write, forceZip64);
}
