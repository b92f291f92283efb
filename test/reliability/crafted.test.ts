// Crafted checkpoints (issue 12's families): each is written here, loaded in a child process, and must be
// refused with the right CheckpointError code (or load, where the file is valid), quickly, without a
// crash, a leaked tensor or a tensor that reads memory outside the file.
import * as fs from 'fs';
import * as path from 'path';
import { bytes, dictPickle, expectClean, floats, global, int, intTuple, op, report, runInChildren, safetensors, str, tempDir, tensorPickle, torchZip, zipOf } from './harness';
import type { TensorDesc } from './harness';

interface Case {
  family: string;
  name: string;
  data: Buffer;
  ext?: string;
  /** The CheckpointError code, or 'loaded'. */
  expect: string;
}

const four = floats([1, 2, 3, 4]);

function tensorFile(t: TensorDesc, records: Record<string, Buffer> = { '0': four }): Buffer {
  return torchZip(dictPickle([['w', tensorPickle(t)]]), records);
}

function pickleFile(...parts: Array<number | string | Uint8Array>): Buffer {
  return torchZip(bytes(op.PROTO2, ...parts));
}

function repeat(part: string | Buffer, n: number): Buffer {
  const b = Buffer.from(part as string, 'latin1');
  return Buffer.alloc(b.length * n, b);
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (family: string, name: string, data: Buffer, expect: string, ext = '.pt'): void => void out.push({ family, name, data, expect, ext });

  // Storages that do not fit their bytes (these crashed or read foreign memory with libtorch's loader).
  const S = 'storage bounds';
  add(S, 'valid control', tensorFile({ numel: 4, sizes: [2, 2], strides: [2, 1] }), 'loaded');
  add(S, 'strided valid control', tensorFile({ numel: 4, sizes: [2, 2], strides: [1, 2] }), 'loaded');
  add(S, 'declared numel past the record', tensorFile({ numel: 100, sizes: [100], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'offset past the storage', tensorFile({ numel: 4, offset: 10, sizes: [1], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'offset at the end, one element', tensorFile({ numel: 4, offset: 4, sizes: [1], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'sizes past the storage', tensorFile({ numel: 4, sizes: [5], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'shape larger than storage', tensorFile({ numel: 4, sizes: [2, 3], strides: [3, 1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'strides past the storage', tensorFile({ numel: 4, sizes: [2, 2], strides: [3, 1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'sizes and strides of different lengths', tensorFile({ numel: 4, sizes: [2, 2], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'record missing', tensorFile({ numel: 4, key: '7', sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'record empty', tensorFile({ numel: 4, sizes: [4], strides: [1] }, { '0': Buffer.alloc(0) }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'record not whole elements', tensorFile({ numel: 1, sizes: [1], strides: [1] }, { '0': Buffer.alloc(6) }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'storage declared twice, differently', torchZip(dictPickle([['a', tensorPickle({ numel: 4, sizes: [4], strides: [1] })], ['b', tensorPickle({ numel: 2, sizes: [2], strides: [1] })]]), { '0': four }), 'ERR_CHECKPOINT_STORAGE');
  add(S, 'storage key with a path', tensorFile({ numel: 4, key: '../x', sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_PICKLE');
  add(S, '1000 dims', tensorFile({ numel: 4, sizes: new Array(1000).fill(1), strides: new Array(1000).fill(1) }), 'ERR_CHECKPOINT_STORAGE');

  const N = 'negative values';
  add(N, 'negative offset', tensorFile({ numel: 4, offset: -1, sizes: [2], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(N, 'negative stride', tensorFile({ numel: 4, offset: 3, sizes: [2], strides: [-1] }), 'ERR_CHECKPOINT_STORAGE');
  add(N, 'negative size', tensorFile({ numel: 4, sizes: [-2], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(N, 'negative numel', tensorFile({ numel: -4, sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');

  const O = 'numel overflow';
  add(O, '2^31 cubed', tensorFile({ numel: 4, sizes: [2 ** 31, 2 ** 31, 2 ** 31], strides: [0, 0, 0] }), 'ERR_CHECKPOINT_STORAGE');
  add(O, 'size 2^62', tensorFile({ numel: 4, sizes: [2n ** 62n], strides: [0] }), 'ERR_CHECKPOINT_STORAGE');
  add(O, 'size 2^63-1 with stride 2^63-1', tensorFile({ numel: 4, sizes: [2n ** 63n - 1n], strides: [2n ** 63n - 1n] }), 'ERR_CHECKPOINT_STORAGE');
  add(O, 'stride reach overflows', tensorFile({ numel: 4, sizes: [2, 2], strides: [2 ** 52, 2 ** 52] }), 'ERR_CHECKPOINT_STORAGE');
  add(O, 'numel 2^62 declared', tensorFile({ numel: 2n ** 62n, sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_STORAGE');
  add(O, 'zero stride to 2^40 elements', tensorFile({ numel: 4, sizes: [2 ** 40], strides: [0] }), 'ERR_CHECKPOINT_LIMIT');
  add(O, 'zero stride within the budget', tensorFile({ numel: 4, sizes: [1000], strides: [0] }), 'loaded');

  // Opcodes on an empty or short stack (these crashed libtorch's unpickler).
  const K = 'empty or short stack';
  for (const [name, code] of Object.entries({ REDUCE: 'R', BUILD: 'b', BINPERSID: 'Q', TUPLE1: bytes(0x85), TUPLE2: bytes(0x86), TUPLE3: bytes(0x87), SETITEM: 's', APPEND: 'a', STACK_GLOBAL: bytes(0x93), BINPUT: bytes(0x71, 0), STOP: '.' })) {
    add(K, `${name} on an empty stack`, pickleFile(code, op.STOP), 'ERR_CHECKPOINT_PICKLE');
    add(K, `${name} on a short stack`, pickleFile(int(1), code, op.STOP), name === 'BINPUT' || name === 'TUPLE1' ? 'loaded' : 'ERR_CHECKPOINT_PICKLE');
  }
  add(K, 'TUPLE without MARK', pickleFile(int(1), op.TUPLE, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'SETITEMS without MARK', pickleFile(op.EMPTY_DICT, int(1), int(2), op.SETITEMS, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'APPENDS without MARK', pickleFile(op.EMPTY_LIST, int(1), op.APPENDS, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'SETITEMS odd', pickleFile(op.EMPTY_DICT, op.MARK, str('a'), op.SETITEMS, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'SETITEM on a list', pickleFile(op.EMPTY_LIST, str('a'), int(1), op.SETITEM, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'BINPERSID of an int', pickleFile(int(1), op.BINPERSID, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'REDUCE of a tuple', pickleFile(op.EMPTY_TUPLE, op.EMPTY_TUPLE, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'BUILD on a dict', pickleFile(op.EMPTY_DICT, op.EMPTY_DICT, op.BUILD, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'two values at STOP', pickleFile(int(1), int(2), op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'no STOP', pickleFile(int(1)), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'empty pickle', torchZip(Buffer.alloc(0)), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'bytes after STOP', pickleFile(op.EMPTY_DICT, op.STOP, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'unknown opcode', pickleFile(op.EMPTY_DICT, 0xff, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'text INT opcode', pickleFile('I1\n', op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(K, 'protocol 9', torchZip(bytes(0x80, 9, op.EMPTY_DICT, op.STOP)), 'ERR_CHECKPOINT_PICKLE');

  const D = 'deep nesting';
  add(D, 'a tuple nested 1,000,000 deep', pickleFile(int(0), repeat(op.TUPLE1, 1_000_000), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(D, '1,000,000 MARKs', pickleFile(repeat(op.MARK, 1_000_000), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(D, 'lists nested 1,000,000 deep', pickleFile(repeat(op.EMPTY_LIST, 1_000_000), repeat(op.APPEND, 999_999), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(D, 'dicts nested 100,000 deep', pickleFile(repeat(bytes(op.EMPTY_DICT, str('k')), 100_000), op.EMPTY_DICT, repeat(op.SETITEM, 100_000), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(D, 'nesting 200 deep (allowed)', pickleFile(int(0), repeat(op.TUPLE1, 200), op.STOP), 'loaded');
  add(D, 'a list that contains itself', pickleFile(op.EMPTY_LIST, bytes(0x71, 0), bytes(0x68, 0), op.APPEND, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(D, 'a two-list cycle', pickleFile(op.EMPTY_LIST, bytes(0x71, 0), op.EMPTY_LIST, bytes(0x71, 1), bytes(0x68, 0), op.APPEND, op.APPEND, bytes(0x68, 1), bytes(0x68, 0), op.APPEND, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  // l(k+1) = [l(k), l(k)]: 40 levels of sharing would expand to 2^40 values.
  const dag = [op.EMPTY_LIST, bytes(0x71, 0)] as Array<string | Buffer>;
  for (let k = 1; k <= 40; k++) dag.push(bytes(0x68, k - 1), op.TUPLE2, bytes(0x71, k));
  add(D, 'shared references expanding to 2^40', pickleFile(...dag, op.STOP), 'ERR_CHECKPOINT_LIMIT');

  const M = 'memo and lengths';
  const longBinput = (id: number): Buffer => bytes(0x72, Buffer.from(new Uint32Array([id]).buffer));
  add(M, 'memo id 1e8 (returns {} at once)', pickleFile(op.EMPTY_DICT, longBinput(1e8), op.STOP), 'loaded');
  add(M, 'memo id 2^32-1', pickleFile(op.EMPTY_DICT, longBinput(2 ** 32 - 1), op.STOP), 'loaded');
  add(M, 'get of a memo id never stored', pickleFile(bytes(0x6a, Buffer.from(new Uint32Array([1e8]).buffer)), op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(M, 'a 1.5e9-byte string', pickleFile(bytes(0x58, Buffer.from(new Uint32Array([1.5e9]).buffer)), 'abc', op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(M, 'a 2^60-byte BINUNICODE8', pickleFile(bytes(0x8d, Buffer.from(new BigUint64Array([2n ** 60n]).buffer)), op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(M, 'a 2^31-byte LONG4', pickleFile(bytes(0x8b, Buffer.from(new Int32Array([2 ** 31 - 1]).buffer)), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(M, 'a 255-byte LONG1', pickleFile(bytes(0x8a, 255), Buffer.alloc(255), op.STOP), 'ERR_CHECKPOINT_LIMIT');
  add(M, 'a string that is not UTF-8', pickleFile(bytes(0x58, 2, 0, 0, 0, 0xff, 0xfe), op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(M, 'an unterminated GLOBAL', pickleFile('ctorch', op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(M, 'a 10 KB GLOBAL name', pickleFile('c', 'x'.repeat(10_000), '\nName\n', op.STOP), 'ERR_CHECKPOINT_PICKLE');

  const G = 'globals outside the allowlist';
  add(G, 'os.system', pickleFile(global('os', 'system'), str('echo pwned'), op.TUPLE1, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_UNSAFE');
  add(G, 'posix.system', pickleFile(global('posix', 'system'), op.STOP), 'ERR_CHECKPOINT_UNSAFE');
  add(G, 'builtins.eval', pickleFile(global('builtins', 'eval'), str('1'), op.TUPLE1, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_UNSAFE');
  add(G, 'builtins.getattr', pickleFile(global('builtins', 'getattr'), op.STOP), 'ERR_CHECKPOINT_UNSAFE');
  add(G, 'torch._utils._rebuild_tensor (v1)', pickleFile(global('torch._utils', '_rebuild_tensor'), op.STOP), 'ERR_CHECKPOINT_UNSAFE');
  // Allowed as the identity on (value, type string), which libtorch's own pickler writes; nothing else.
  add(G, 'torch.jit restore_type_tag without its type string', pickleFile(global('torch.jit._pickle', 'restore_type_tag'), op.EMPTY_DICT, op.TUPLE1, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(G, 'a storage class called', pickleFile(global('torch', 'FloatStorage'), op.EMPTY_TUPLE, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(G, 'OrderedDict with arguments', pickleFile(global('collections', 'OrderedDict'), op.EMPTY_LIST, op.TUPLE1, op.REDUCE, op.STOP), 'ERR_CHECKPOINT_PICKLE');
  add(G, 'a bare global as a value', pickleFile(op.EMPTY_DICT, str('k'), global('collections', 'OrderedDict'), op.SETITEM, op.STOP), 'ERR_CHECKPOINT_CONTENT');

  const T = 'dtypes';
  add(T, 'ComplexDoubleStorage', tensorFile({ storage: 'ComplexDoubleStorage', numel: 1, sizes: [1], strides: [1] }, { '0': Buffer.alloc(16) }), 'ERR_CHECKPOINT_DTYPE');
  add(T, 'QUInt8Storage', tensorFile({ storage: 'QUInt8Storage', numel: 4, sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_DTYPE');
  add(T, 'an unknown storage class', tensorFile({ storage: 'WeirdStorage', numel: 4, sizes: [4], strides: [1] }), 'ERR_CHECKPOINT_UNSAFE');
  add(T, 'every supported storage', torchZip(dictPickle(['Float', 'Double', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool'].map((s) => [s, tensorPickle({ storage: `${s}Storage`, key: s, numel: 1, sizes: [1], strides: [1] })])), { Float: four.subarray(0, 4), Double: Buffer.from(new Float64Array([2]).buffer), Half: Buffer.from([0, 0x3c]), BFloat16: Buffer.from([0x80, 0x3f]), Long: Buffer.from(new BigInt64Array([5n]).buffer), Int: Buffer.from(new Int32Array([6]).buffer), Short: Buffer.from(new Int16Array([7]).buffer), Char: Buffer.from([8]), Byte: Buffer.from([9]), Bool: Buffer.from([1]) }), 'loaded');

  const Z = 'archives';
  const good = tensorFile({ numel: 4, sizes: [4], strides: [1] });
  add(Z, 'empty file', Buffer.alloc(0), 'ERR_CHECKPOINT_FORMAT');
  add(Z, 'text file', Buffer.from('hello, world\n'), 'ERR_CHECKPOINT_FORMAT');
  add(Z, 'legacy torch.save', bytes(0x80, 2, 0x8a, 10, Buffer.alloc(10)), 'ERR_CHECKPOINT_FORMAT');
  add(Z, 'truncated to half', good.subarray(0, good.length >> 1), 'ERR_CHECKPOINT_ZIP');
  add(Z, 'truncated by one byte', good.subarray(0, good.length - 1), 'ERR_CHECKPOINT_ZIP');
  const badCrc = Buffer.from(good);
  badCrc[good.indexOf('archive/data.pkl') + 16 + 40] ^= 0x01; // a byte of data.pkl (after its name and padding)
  add(Z, 'a corrupt data.pkl (CRC)', badCrc, 'ERR_CHECKPOINT_ZIP');
  const compressed = Buffer.from(good);
  compressed.writeUInt16LE(8, good.lastIndexOf(Buffer.from([0x50, 0x4b, 1, 2]), good.length) + 10);
  add(Z, 'a compressed entry', compressed, 'ERR_CHECKPOINT_ZIP');
  const hugeCount = Buffer.from(good);
  hugeCount.writeUInt16LE(0xfffe, good.length - 22 + 10);
  add(Z, 'entry count past the directory', hugeCount, 'ERR_CHECKPOINT_ZIP');
  const farOffset = Buffer.from(good);
  farOffset.writeUInt32LE(0x7fffffff, good.length - 22 + 16);
  add(Z, 'central directory offset past the end', farOffset, 'ERR_CHECKPOINT_ZIP');
  add(Z, 'two data.pkl', torchZip(dictPickle([]), {}, [['other/data.pkl', dictPickle([])]]), 'ERR_CHECKPOINT_FORMAT');
  add(Z, 'a duplicate entry', torchZip(dictPickle([]), {}, [['archive/data.pkl', dictPickle([])]]), 'ERR_CHECKPOINT_ZIP');
  add(Z, 'a TorchScript archive', zipOf([['archive/code/__torch__.py', Buffer.from('x')], ['archive/constants.pkl', dictPickle([])]]), 'ERR_CHECKPOINT_FORMAT');
  add(Z, 'big-endian byteorder', torchZip(dictPickle([]), {}, [['archive/byteorder', Buffer.from('big')]]), 'ERR_CHECKPOINT_FORMAT');

  const F = 'safetensors';
  const st = (header: unknown, data?: Uint8Array, raw?: string): Buffer => safetensors(header, data, raw);
  const w = { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] };
  add(F, 'valid control', st({ w, __metadata__: { format: 'pt' } }, four), 'loaded', '.safetensors');
  add(F, '__proto__ key', st(undefined, four, '{"__proto__": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}'), 'loaded', '.safetensors');
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(2n ** 63n);
  add(F, 'a 2^63-byte header', huge, 'ERR_CHECKPOINT_LIMIT', '.safetensors');
  add(F, 'a header past the end', st({ w }, four).subarray(0, 20), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'under 8 bytes', Buffer.from([1, 2, 3]), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'not JSON', st(undefined, four, '{"w": '), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'a JSON array', st(undefined, four, '[1, 2]'), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'offsets past the data', st({ w: { ...w, data_offsets: [0, 1600] } }, four), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'offsets reversed', st({ w: { ...w, data_offsets: [16, 0] } }, four), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'a gap', st({ w: { ...w, shape: [1], data_offsets: [4, 8] } }, four.subarray(0, 8)), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'overlapping tensors', st({ a: { ...w, shape: [4], data_offsets: [0, 16] }, b: { ...w, shape: [2], data_offsets: [8, 16] } }, four), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'shape and bytes disagree', st({ w: { ...w, shape: [3, 3] } }, four), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'a negative dimension', st({ w: { ...w, shape: [-2, -2] } }, four), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'numel overflow', st({ w: { ...w, shape: [2 ** 31, 2 ** 31, 2 ** 31] } }, four), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  add(F, 'complex C64', st({ w: { ...w, dtype: 'C64', shape: [2] } }, four), 'ERR_CHECKPOINT_DTYPE', '.safetensors');
  add(F, 'unknown dtype', st({ w: { ...w, dtype: 'Q9' } }, four), 'ERR_CHECKPOINT_DTYPE', '.safetensors');
  add(F, 'metadata not strings', st({ w, __metadata__: { n: 1 } }, four), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'a missing field', st({ w: { dtype: 'F32', shape: [4] } }, four), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'an extra field', st({ w: { ...w, extra: 1 } }, four), 'ERR_CHECKPOINT_FORMAT', '.safetensors');
  add(F, 'trailing bytes not covered', st({ w }, Buffer.concat([four, Buffer.alloc(4)])), 'ERR_CHECKPOINT_STORAGE', '.safetensors');
  return out;
}

test('crafted checkpoints are refused with the right code, without a crash, a leak or a foreign read', () => {
  const dir = tempDir('crafted');
  try {
    const all = cases();
    const files = all.map((c, i) => {
      const file = path.join(dir, `${i}${c.ext ?? '.pt'}`);
      fs.writeFileSync(file, c.data);
      return file;
    });
    const summary = runInChildren(files, 200);
    const wrong: string[] = [];
    const families = new Map<string, { attempts: number; ok: number }>();
    all.forEach((c, i) => {
      const r = summary.results[i];
      const got = r.outcome === 'loaded' ? 'loaded' : r.outcome === 'crash' ? `crash (${r.detail})` : `${r.code}: ${r.message}`;
      const ok = (c.expect === 'loaded' ? r.outcome === 'loaded' : r.outcome === 'refused' && r.code === c.expect) && (r.outcome === 'crash' || (r.ms < 5000 && r.leaks === 0 && r.oob === 0));
      const f = families.get(c.family) ?? { attempts: 0, ok: 0 };
      f.attempts++;
      if (ok) f.ok++;
      else wrong.push(`${c.family} / ${c.name}: expected ${c.expect}, got ${got}`);
      families.set(c.family, f);
    });
    const lines = [...families].map(([name, f]) => `  ${name}: ${f.attempts} files, ${f.ok} as expected`);
    const slowest = all.map((c, i) => [c, summary.results[i]] as const).filter(([, r]) => r.outcome !== 'crash').sort((a, b) => ('ms' in b[1] ? b[1].ms : 0) - ('ms' in a[1] ? a[1].ms : 0))[0];
    lines.push(`  slowest: ${slowest[0].family} / ${slowest[0].name}`);
    console.log([report('crafted checkpoints', summary), ...lines].join('\n'));
    expect(wrong).toEqual([]);
    expectClean(summary);
    expect(summary.maxMs).toBeLessThan(5000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
