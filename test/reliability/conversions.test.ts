// Silent conversions (issue 12): data that would not convert to the target dtype exactly, detached
// buffers and out-of-range thread counts are errors naming the parameter, the same for typed arrays
// and nested arrays; tidy() finds tensors at any depth of its result.
import { tensor } from '../../lib/factories';
import { setNumThreads, setBlasThreads, getNumThreads, MAX_THREADS } from '../../lib/runtime';
import { tidy } from '../../lib/scope';
import { Tensor, liveTensors } from '../../lib/tensor';
import type { DType } from '../../lib/dtype';
import { runFamily } from './helpers/family';

const INTS: DType[] = ['uint8', 'int8', 'int16', 'int32', 'int64'];

test('lossy or out-of-range conversions to integer dtypes are errors, from typed and nested arrays', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [];
  const bad: Array<[string, number, RegExp]> = [
    ['NaN', NaN, /TypeError: Expected finite numbers in data for dtype \w+ but found NaN \(data\[1\]\)/],
    ['Infinity', Infinity, /TypeError: Expected finite numbers in data/],
    ['-Infinity', -Infinity, /TypeError: Expected finite numbers in data/],
    ['1.5', 1.5, /TypeError: Expected integers in data for dtype \w+ but found 1.5 \(data\[1\]\)/],
    ['1e20', 1e20, /RangeError: Expected values in \[.*\] in data for dtype \w+ \(its range\) but found 1000000\d+ \(data\[1\]\)/],
    ['-1e20', -1e20, /RangeError: .* \(its range\)/],
  ];
  for (const dtype of INTS) {
    for (const [label, v, pattern] of bad) {
      cases.push([`Float32Array ${label} -> ${dtype}`, () => tensor(new Float32Array([0, v]), { dtype }), pattern]);
      cases.push([`Float64Array ${label} -> ${dtype}`, () => tensor(new Float64Array([0, v]), { dtype }), pattern]);
      cases.push([`[${label}] -> ${dtype}`, () => tensor([0, v], { dtype }), pattern]);
    }
  }
  // Values just outside each narrower dtype, from nested arrays and from wider typed arrays.
  const edges: Record<string, [number, number]> = { uint8: [-1, 256], int8: [-129, 128], int16: [-32769, 32768], int32: [-(2 ** 31) - 1, 2 ** 31] };
  for (const [dtype, [lo, hi]] of Object.entries(edges) as Array<[DType, [number, number]]>) {
    for (const v of [lo, hi]) {
      const pattern = new RegExp(`RangeError: Expected values in \\[.*\\] in data for dtype ${dtype} \\(its range\\) but found ${v}`);
      cases.push([`[${v}] -> ${dtype}`, () => tensor([v], { dtype }), pattern]);
      cases.push([`Float64Array ${v} -> ${dtype}`, () => tensor(new Float64Array([v]), { dtype }), pattern]);
      cases.push([`BigInt64Array ${v} -> ${dtype}`, () => tensor(new BigInt64Array([BigInt(v)]), { dtype }), pattern]);
      if (Math.abs(v) < 2 ** 31) cases.push([`Int32Array ${v} -> ${dtype}`, () => tensor(new Int32Array([v]), { dtype }), pattern]);
    }
  }
  cases.push(['[300, -1] -> uint8', () => tensor([300, -1], { dtype: 'uint8' }), /RangeError: Expected values in \[0, 255\] in data for dtype uint8 \(its range\) but found 300 \(data\[0\]\)/]);
  cases.push(['Uint8Array 200 -> int8', () => tensor(new Uint8Array([200]), { dtype: 'int8' }), /RangeError: .*dtype int8/]);
  cases.push(['Float64Array 2**63 -> int64', () => tensor(new Float64Array([2 ** 63]), { dtype: 'int64' }), /RangeError: .*dtype int64/]);
  // A detached buffer, as after postMessage(..., [buffer]) or structuredClone with transfer.
  for (const make of [() => new Float32Array(4), () => new Int32Array(4), () => new BigInt64Array(2)]) {
    const a = make();
    structuredClone(a.buffer, { transfer: [a.buffer] });
    cases.push([`detached ${a.constructor.name}`, () => tensor(a), /TypeError: Expected a typed array with its data for data but received a \w+ whose ArrayBuffer is detached/]);
  }
  // Thread counts a C int would wrap (2**32 + 1 became 1) or that could only slow libtorch down.
  for (const n of [2 ** 32 + 1, 2 ** 31, MAX_THREADS + 1, 100000, 0, -1]) {
    cases.push([`setNumThreads(${n})`, () => setNumThreads(n), /RangeError: Expected an integer in \[1, \d+\] for threads/]);
    cases.push([`setBlasThreads(${n})`, () => setBlasThreads(n), /RangeError: Expected an integer in \[1, \d+\] for threads/]);
  }
  const threads = getNumThreads();
  runFamily('silent conversions', cases);
  expect(getNumThreads()).toBe(threads);
});

test('exact conversions still work, alike from typed and nested arrays', () => {
  const values = (t: Tensor): number[] => Array.from(t.toTypedArray() as ArrayLike<number | bigint>, Number);
  for (const dtype of INTS) {
    const lo = dtype === 'uint8' ? 0 : -100;
    for (const t of [tensor([lo, 0, 100], { dtype }), tensor(new Float32Array([lo, 0, 100]), { dtype }), tensor(new Float64Array([lo, 0, 100]), { dtype }), tensor(new Int32Array([lo, 0, 100]), { dtype })]) {
      expect([dtype, t.dtype, values(t)]).toEqual([dtype, dtype, [lo, 0, 100]]);
      t.dispose();
    }
  }
  const big = tensor(new Float64Array([-(2 ** 63), 2 ** 53]), { dtype: 'int64' });
  expect(Array.from(big.toTypedArray() as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 53n]);
  big.dispose();
  // To bool, any non-zero value is true, NaN included (as in PyTorch), from both paths.
  const a = tensor([0, NaN, -2], { dtype: 'bool' });
  const b = tensor(new Float32Array([0, NaN, -2]), { dtype: 'bool' });
  expect(a.toArray()).toEqual([false, true, true]);
  expect(b.toArray()).toEqual([false, true, true]);
  a.dispose();
  b.dispose();
  // Floating targets round, as in PyTorch (documented in tensor()).
  const f = tensor([1e300], { dtype: 'float32' });
  expect(f.item()).toBe(Infinity);
  f.dispose();
});

test('tidy() keeps tensors at any depth of its result, and survives cycles', () => {
  const live = liveTensors();
  type Nest = { t?: Tensor; next?: Nest; self?: unknown };
  const out = tidy(() => {
    const root: Nest = {};
    let node = root;
    for (let i = 0; i < 50; i++) {
      node.next = { self: root };
      node = node.next;
    }
    node.t = tensor([1, 2]);
    const deepArray: unknown[] = [[[[[[[[[tensor([3])]]]]]]]]];
    const map = new Map([['a', new Set([[{ x: tensor([4]) }]])]]);
    return { root, deepArray, map };
  });
  let node: Nest | undefined = out.root;
  while (node?.next) node = node.next;
  expect(node?.t?.isDisposed).toBe(false);
  expect(liveTensors()).toBe(live + 3);
  node?.t?.dispose();
  let inner: unknown = out.deepArray;
  while (Array.isArray(inner)) inner = inner[0];
  expect((inner as Tensor).isDisposed).toBe(false);
  (inner as Tensor).dispose();
  for (const s of out.map.values()) for (const [o] of s) o.x.dispose();
  expect(liveTensors()).toBe(live);
});
