// A weights-only unpickler for torch.save's data.pkl, in the spirit of torch.load(weights_only=True): it
// knows the opcodes pickle protocols 2-4 use for plain data and builds only dicts (and OrderedDicts),
// lists, tuples, strings, numbers, booleans, None, storages named by persistent id, and tensors through
// torch._utils._rebuild_tensor_v2 / _rebuild_parameter. Any other global is refused by name, before
// anything is called. Nothing is evaluated: a REDUCE of an allowed function only records a description.
// Work and memory are bounded by the pickle's length: every opcode reads at least one byte and pushes at
// most one value, strings and integers are no longer than the bytes that hold them, memo ids are keys
// of a Map (not indexes into an array sized by them), and nesting is capped.
import type { Fail } from './zip';
import { byStorage, unsupportedDtype, SUPPORTED_LIST } from './dtypes';
import type { DtypeInfo } from './dtypes';

/** The deepest nesting of containers (and of MARKs) a checkpoint may have. */
export const MAX_DEPTH = 256;
/** The longest integer (LONG1/LONG4), in bytes: PyTorch's are at most 8 (int64). */
const MAX_LONG_BYTES = 16;

// `depth`: how deeply the container nests (1 when it holds no containers), kept as it is filled.
export class PyDict {
  depth = 1;
  readonly entries = new Map<string | number | bigint, PyValue>();
  constructor(readonly ordered: boolean) {}
}
export class PyList {
  depth = 1;
  constructor(readonly items: PyValue[]) {}
}
export class PyTuple {
  depth = 1;
  constructor(readonly items: PyValue[]) {}
}
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}
export class StorageRef {
  constructor(
    readonly key: string,
    readonly info: DtypeInfo,
    readonly numel: number,
  ) {}
}
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly sizes: number[],
    readonly strides: number[],
    public requiresGrad: boolean,
  ) {}
}

export type PyValue = null | boolean | number | bigint | string | PyDict | PyList | PyTuple | PyGlobal | StorageRef | TensorRef;

const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const ORDERED_DICT = 'collections.OrderedDict';
// Written by libtorch's own pickler (torch::pickle_save, which torch-sentiment used before 0.1's
// weights-only writer) around dicts and lists; PyTorch's Python side returns the value unchanged.
const RESTORE_TYPE_TAG = 'torch.jit._pickle.restore_type_tag';
const ALLOWED_CALLS = [REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT, RESTORE_TYPE_TAG];

/** A pickle value in an error message: "None", "a number (3)", "a str \"x\"", "a dict", ... */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return `a bool (${v ? 'True' : 'False'})`;
  if (typeof v === 'number' || typeof v === 'bigint') return `a number (${String(v)})`;
  if (typeof v === 'string') return `a str ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (v instanceof PyDict) return 'a dict';
  if (v instanceof PyList) return 'a list';
  if (v instanceof PyTuple) return `a tuple of ${v.items.length}`;
  if (v instanceof PyGlobal) return `the global ${v.qualified}`;
  if (v instanceof StorageRef) return 'a bare storage';
  return 'a tensor';
}

function depthOf(v: PyValue): number {
  return v instanceof PyDict || v instanceof PyList || v instanceof PyTuple ? v.depth : 0;
}

/** Unpickles torch.save's data.pkl. `storages` says how many bytes each storage key has in the archive. */
export function unpickle(data: Uint8Array, storageBytes: (key: string) => number | undefined, fail: Fail): PyValue {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let stack: PyValue[] = [];
  const metastack: PyValue[][] = [];
  const memo = new Map<number, PyValue>();
  const storages = new Map<string, StorageRef>();

  const bad = (message: string): never => fail('ERR_CHECKPOINT_PICKLE', `data.pkl, byte ${pos}: ${message}`);
  const need = (n: number): void => {
    if (pos + n > data.length) bad(`the pickle ends inside an opcode (needs ${n} more bytes)`);
  };
  const pop = (what: string): PyValue => {
    if (stack.length === 0) bad(`${what} on an empty stack`);
    return stack.pop() as PyValue;
  };
  const top = (what: string): PyValue => {
    if (stack.length === 0) bad(`${what} on an empty stack`);
    return stack[stack.length - 1];
  };
  const popMark = (what: string): PyValue[] => {
    if (metastack.length === 0) bad(`${what} without a MARK`);
    const items = stack;
    stack = metastack.pop() as PyValue[];
    return items;
  };
  // Nesting is checked as containers are filled; the conversion to JS checks it again, since a memoized
  // list can be filled after it was put in another.
  const container = <T extends PyDict | PyList | PyTuple>(value: T, children: PyValue[]): T => {
    let d = 0;
    for (const c of children) d = Math.max(d, depthOf(c));
    if (d + 1 > MAX_DEPTH) fail('ERR_CHECKPOINT_LIMIT', `data.pkl, byte ${pos}: containers nest deeper than ${MAX_DEPTH} levels`);
    value.depth = d + 1;
    return value;
  };
  const grow = (parent: PyDict | PyList, child: PyValue): void => {
    if (child === parent) bad('a container that contains itself');
    const d = depthOf(child) + 1;
    if (d > MAX_DEPTH) fail('ERR_CHECKPOINT_LIMIT', `data.pkl, byte ${pos}: containers nest deeper than ${MAX_DEPTH} levels`);
    if (d > parent.depth) parent.depth = d;
  };
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!(dict instanceof PyDict)) bad(`SETITEM(S) on ${describe(dict)}, not a dict`);
    const d = dict as PyDict;
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') bad(`a dict key that is ${describe(key)} (only str and int keys are supported)`);
      if (typeof key === 'number' && !Number.isInteger(key)) bad('a dict key that is a float');
      grow(d, items[i + 1]);
      d.entries.set(key as string | number | bigint, items[i + 1]);
    }
  };
  const readLine = (what: string): string => {
    // GLOBAL's module and name: short ASCII identifiers ending in a newline.
    const end = data.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 256) bad(`GLOBAL ${what} is not a newline-terminated name of at most 256 bytes`);
    const s = Buffer.from(data.buffer, data.byteOffset + pos, end - pos).toString('latin1');
    pos = end + 1;
    return s;
  };
  const global = (module: string, name: string): PyGlobal => {
    const qualified = `${module}.${name}`;
    if (module === 'torch' && byStorage(name)) return new PyGlobal(module, name);
    const unsupported = module === 'torch' ? unsupportedDtype(name) : undefined;
    if (unsupported) fail('ERR_CHECKPOINT_DTYPE', `a tensor has dtype ${unsupported} (torch.${name}), which this library does not support (supported: ${SUPPORTED_LIST})`);
    if (qualified === 'torch._utils._rebuild_qtensor') fail('ERR_CHECKPOINT_DTYPE', 'a quantized tensor (torch._utils._rebuild_qtensor); quantized dtypes are not supported');
    if (ALLOWED_CALLS.includes(qualified)) return new PyGlobal(module, name);
    return fail(
      'ERR_CHECKPOINT_UNSAFE',
      `the pickle names ${qualified}, which a weights-only load does not allow (only state dicts of tensors: ${ALLOWED_CALLS.join(', ')}, torch.*Storage)`,
    );
  };
  const str = (n: number): string => {
    need(n);
    let s: string;
    try {
      s = utf8.decode(data.subarray(pos, pos + n));
    } catch {
      return bad('a string that is not valid UTF-8');
    }
    pos += n;
    return s;
  };
  const long = (n: number): number | bigint => {
    if (n > MAX_LONG_BYTES) fail('ERR_CHECKPOINT_LIMIT', `data.pkl, byte ${pos}: an integer of ${n} bytes (at most ${MAX_LONG_BYTES})`);
    need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + i]);
    if (n > 0 && data[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    pos += n;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const int = (v: PyValue, what: string, min = 0): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail('ERR_CHECKPOINT_STORAGE', `${what} is ${describe(v)}, not an int below 2^53`);
    if (v < min) fail('ERR_CHECKPOINT_STORAGE', `${what} is ${v} (must be >= ${min})`);
    return v;
  };
  const intTuple = (v: PyValue, what: string): number[] => {
    if (!(v instanceof PyTuple)) return fail('ERR_CHECKPOINT_STORAGE', `${what} is ${describe(v)}, not a tuple of ints`);
    if (v.items.length > 64) fail('ERR_CHECKPOINT_STORAGE', `${what} has ${v.items.length} dimensions (at most 64)`);
    return v.items.map((x, i) => int(x, `${what}[${i}]`));
  };
  const persistentLoad = (pid: PyValue): StorageRef => {
    if (!(pid instanceof PyTuple) || pid.items.length !== 5 || pid.items[0] !== 'storage') {
      return bad(`a persistent id that is ${describe(pid)}, not ('storage', type, key, location, numel)`);
    }
    const [, type, key, location, numel] = pid.items;
    if (!(type instanceof PyGlobal) || type.module !== 'torch' || !byStorage(type.name)) return bad(`a storage whose type is ${describe(type)}, not a torch.*Storage`);
    if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)) return bad(`a storage key that is ${describe(key)}${typeof key === 'string' ? ` ${JSON.stringify(key.slice(0, 80))}` : ''}, not a short name`);
    if (typeof location !== 'string') return bad(`storage ${key}: location is ${describe(location)}, not a str`);
    const info = byStorage(type.name) as DtypeInfo;
    const n = int(numel, `storage ${key}: numel`);
    const bytes = storageBytes(key);
    if (bytes === undefined) fail('ERR_CHECKPOINT_STORAGE', `storage ${key} has no record data/${key} in the archive`);
    if (n * info.size !== bytes) fail('ERR_CHECKPOINT_STORAGE', `storage ${key} declares ${n} ${info.dtype} elements (${n * info.size} bytes) but its record has ${bytes} bytes`);
    const known = storages.get(key);
    if (known) {
      if (known.info !== info || known.numel !== n) fail('ERR_CHECKPOINT_STORAGE', `storage ${key} is declared twice with different types or sizes`);
      return known;
    }
    const ref = new StorageRef(key, info, n);
    storages.set(key, ref);
    return ref;
  };
  const rebuildTensor = (args: PyTuple): TensorRef => {
    const a = args.items;
    if (a.length !== 6 && a.length !== 7) return bad(`${REBUILD_TENSOR} with ${a.length} arguments (expected 6 or 7)`);
    const [storage, offset, size, stride, requiresGrad] = a;
    if (!(storage instanceof StorageRef)) return bad(`${REBUILD_TENSOR} of ${describe(storage)}, not a storage`);
    const sizes = intTuple(size, 'tensor size');
    const strides = intTuple(stride, 'tensor stride');
    if (sizes.length !== strides.length) fail('ERR_CHECKPOINT_STORAGE', `a tensor with ${sizes.length} sizes but ${strides.length} strides`);
    if (typeof requiresGrad !== 'boolean') bad(`${REBUILD_TENSOR}: requires_grad is ${describe(requiresGrad)}`);
    return new TensorRef(storage, int(offset, 'storage offset'), sizes, strides, requiresGrad as boolean);
  };
  const reduce = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal)) return bad(`REDUCE calls ${describe(fn)}, not an allowed function`);
    if (!(args instanceof PyTuple)) return bad(`REDUCE of ${fn.qualified} with ${describe(args)} for arguments, not a tuple`);
    switch (fn.qualified) {
      case ORDERED_DICT:
        if (args.items.length !== 0) bad('collections.OrderedDict called with arguments');
        return container(new PyDict(true), []);
      case RESTORE_TYPE_TAG: {
        const [value, typeStr] = args.items;
        if (args.items.length !== 2 || typeof typeStr !== 'string') return bad(`${RESTORE_TYPE_TAG} takes (value, type string)`);
        return value;
      }
      case REBUILD_TENSOR:
        return rebuildTensor(args);
      case REBUILD_PARAMETER: {
        const [t, requiresGrad] = args.items;
        if (args.items.length !== 3 || !(t instanceof TensorRef) || typeof requiresGrad !== 'boolean') return bad(`${REBUILD_PARAMETER} takes (tensor, requires_grad, hooks)`);
        t.requiresGrad = requiresGrad;
        return t;
      }
      default:
        return bad(`REDUCE calls ${fn.qualified}, which is not callable`); // a storage class
    }
  };

  for (;;) {
    if (pos >= data.length) bad('the pickle ends without STOP');
    const op = data[pos++];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        if (data[pos] < 2 || data[pos] > 5) bad(`pickle protocol ${data[pos]} (torch.save writes 2)`);
        pos += 1;
        break;
      case 0x95: // FRAME (protocol 4): a length to skip, the frame's bytes follow inline
        need(8);
        pos += 8;
        break;
      case 0x2e: {
        // STOP
        if (metastack.length !== 0) bad('STOP inside a MARK');
        if (stack.length !== 1) bad(`STOP with ${stack.length} values on the stack (expected 1)`);
        if (pos !== data.length) bad(`${data.length - pos} bytes after STOP`);
        return stack[0];
      }
      case 0x28: // MARK
        if (metastack.length >= MAX_DEPTH) fail('ERR_CHECKPOINT_LIMIT', `data.pkl, byte ${pos}: MARKs nest deeper than ${MAX_DEPTH} levels`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(container(new PyDict(false), []));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push(container(new PyList([]), []));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(container(new PyTuple([]), []));
        break;
      case 0x74: {
        // TUPLE
        const items = popMark('TUPLE');
        stack.push(container(new PyTuple(items), items));
        break;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) bad(`TUPLE${n} with ${stack.length} values on the stack`);
        const items = stack.splice(stack.length - n, n);
        stack.push(container(new PyTuple(items), items));
        break;
      }
      case 0x71: // BINPUT
        need(1);
        memo.set(data[pos++], top('BINPUT'));
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(view.getUint32(pos, true), top('LONG_BINPUT'));
        pos += 4;
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top('MEMOIZE'));
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const n = op === 0x68 ? 1 : 4;
        need(n);
        const id = n === 1 ? data[pos] : view.getUint32(pos, true);
        pos += n;
        if (!memo.has(id)) bad(`memo id ${id} was never stored`);
        stack.push(memo.get(id) as PyValue);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = readLine('module');
        const name = readLine('name');
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL (protocol 4)
        const name = pop('STACK_GLOBAL');
        const module = pop('STACK_GLOBAL');
        if (typeof module !== 'string' || typeof name !== 'string') bad('STACK_GLOBAL of values that are not strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop('REDUCE');
        const fn = pop('REDUCE');
        stack.push(reduce(fn, args));
        break;
      }
      case 0x62: {
        // BUILD: only an OrderedDict's attributes (a state dict's _metadata), which are dropped.
        const state = pop('BUILD');
        const obj = top('BUILD');
        if (!(obj instanceof PyDict) || !obj.ordered || !(state instanceof PyDict)) bad(`BUILD of ${describe(obj)} with ${describe(state)} (only an OrderedDict's attributes)`);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop('BINPERSID')));
        break;
      case 0x73: {
        // SETITEM
        const value = pop('SETITEM');
        const key = pop('SETITEM');
        setItems(top('SETITEM'), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark('SETITEMS');
        if (items.length % 2) bad('SETITEMS with an odd number of values');
        setItems(top('SETITEMS'), items);
        break;
      }
      case 0x61: // APPEND
      case 0x65: {
        // APPENDS
        const items = op === 0x61 ? [pop('APPEND')] : popMark('APPENDS');
        const list = top(op === 0x61 ? 'APPEND' : 'APPENDS');
        if (!(list instanceof PyList)) return bad(`APPEND(S) on ${describe(list)}, not a list`);
        for (const item of items) {
          grow(list, item);
          list.items.push(item);
        }
        break;
      }
      case 0x4b: // BININT1
        need(1);
        stack.push(data[pos++]);
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x8a: // LONG1
        need(1);
        pos += 1;
        stack.push(long(data[pos - 1]));
        break;
      case 0x8b: {
        // LONG4
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) bad('LONG4 with a negative length');
        stack.push(long(n));
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x58: {
        // BINUNICODE
        need(4);
        const n = view.getUint32(pos, true);
        pos += 4;
        stack.push(str(n));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE (protocol 4)
        need(1);
        pos += 1;
        stack.push(str(data[pos - 1]));
        break;
      case 0x8d: {
        // BINUNICODE8 (protocol 4)
        need(8);
        const n = view.getBigUint64(pos, true);
        pos += 8;
        if (n > BigInt(data.length)) bad(`a string of ${n} bytes in a pickle of ${data.length}`);
        stack.push(str(Number(n)));
        break;
      }
      default:
        bad(`opcode 0x${op.toString(16).padStart(2, '0')} is not one a weights-only load accepts`);
    }
  }
}
