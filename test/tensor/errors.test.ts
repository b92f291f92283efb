// Bad input never crashes the process: each case gives a clear error naming what was wrong.
import { tensor, zeros, arange, randn, TorchError, nn, cat, stack, Tensor } from '../../lib';
import { DEVICE } from '../helpers/device';

describe('bad input gives clear errors', () => {
  test('non-array and malformed data', () => {
    expect(() => tensor('abc' as never)).toThrow(/Expected a TypedArray, a number, a boolean or a nested array of numbers for data but received string "abc"/);
    expect(() => tensor({} as never)).toThrow(/for data but received object/);
    expect(() => tensor(null as never)).toThrow(/received null/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/rectangular/);
    expect(() => tensor([1, 'x'] as never)).toThrow(/data\[1\]/);
    expect(() => tensor(new Uint32Array(2) as never)).toThrow(/Float32Array/);
    expect(() => tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(/shape \[4, 2\] \(8 elements\) to match data of 6 elements/);
    expect(() => tensor([1], { shape: [-1] })).toThrow(/shape\[0\]/);
    expect(() => tensor([1], { shape: [1.5] })).toThrow(/an integer for shape\[0\]/);
  });

  test('wrong dtypes', () => {
    expect(() => tensor([1], { dtype: 'float' as never })).toThrow(/dtype .*received string "float"/);
    expect(() => tensor([1.5], { dtype: 'int64' })).toThrow(/integers in data for dtype int64 but found 1.5/);
    expect(() => randn([2], { dtype: 'int64' })).toThrow(/floating point dtype/);
    const ids = tensor([0.5, 1], { device: DEVICE });
    const emb = new nn.Embedding(4, 2);
    emb.to(DEVICE);
    expect(() => emb.forward(ids)).toThrow(TorchError);
    expect(() => emb.forward(ids)).toThrow(/Long|Int|indices/);
  });

  test('wrong shapes', () => {
    const a = zeros([2, 3], { device: DEVICE });
    expect(() => a.matmul(zeros([2, 3], { device: DEVICE }))).toThrow(/mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
    expect(() => a.add(zeros([4], { device: DEVICE }))).toThrow(TorchError);
    expect(() => a.view(5)).toThrow(/shape '\[5\]' is invalid for input of size 6/);
    expect(() => a.sum(3)).toThrow(/Dimension out of range/);
    expect(() => cat([a, zeros([2, 2], { device: DEVICE })])).toThrow(TorchError);
    expect(() => stack([])).toThrow(/non-empty array of Tensors for tensors/);
    expect(() => a.transpose(0, 'x' as never)).toThrow(/integer for dim1/);
  });

  test('mismatched devices', () => {
    expect(() => zeros([1], { device: 'gpu' as never })).toThrow(/device/);
    expect(() => zeros([1], { device: 'cuda:99' })).toThrow(TorchError);
    expect(() => zeros([1]).to('tpu' as never)).toThrow(/device/);
  });

  test('NaN and infinities', () => {
    const t = tensor([NaN, Infinity, -Infinity]);
    expect(t.isnan().toArray()).toEqual([true, false, false]);
    expect(() => tensor([NaN], { dtype: 'int32' })).toThrow(/finite numbers/);
    expect(() => zeros([1]).clamp(NaN)).toThrow(/number for min/);
    expect(() => zeros([1]).add(NaN).item()).not.toThrow();
  });

  test('empty tensors', () => {
    const e = zeros([0, 3], { device: DEVICE });
    expect(e.sum().item()).toBe(0);
    expect(e.shape).toEqual([0, 3]);
    expect(() => e.max()).toThrow(TorchError);
    expect(() => e.item()).toThrow(/0 elements cannot be converted/);
    expect(e.toArray()).toEqual([]);
  });

  test('out-of-range indices', () => {
    const a = arange(6, undefined, 1, { device: DEVICE }).view(2, 3);
    expect(() => a.index(5)).toThrow(/index 5 is out of bounds for dimension 0 with size 2/);
    expect(() => a.indexSelect(0, tensor([7], { dtype: 'int64', device: DEVICE }))).toThrow(TorchError);
    expect(() => a.narrow(1, 2, 5)).toThrow(TorchError);
    expect(() => a.slice(4)).toThrow(RangeError);
    const emb = new nn.Embedding(10, 3);
    emb.to(DEVICE);
    expect(() => emb.forward(tensor([3, 10], { dtype: 'int64', device: DEVICE }))).toThrow(/index out of range/);
    expect(() => emb.forward(tensor([-1], { dtype: 'int64', device: DEVICE }))).toThrow(/index out of range/);
    // nn.functional.embedding takes the same path as the module (on CUDA: the host-side guard).
    const weight = emb.weight;
    expect(() => nn.functional.embedding(tensor([3, 10], { dtype: 'int64', device: DEVICE }), weight)).toThrow(/index out of range/);
    expect(() => nn.functional.embedding(tensor([-1], { dtype: 'int32', device: DEVICE }), weight)).toThrow(/index out of range/);
    expect(nn.functional.embedding(tensor([0, 9], { dtype: 'int64', device: DEVICE }), weight).shape).toEqual([2, 3]);
  });

  test('out-of-range class indices in crossEntropy', () => {
    const logits = zeros([3, 4], { device: DEVICE });
    const target = (ids: number[]) => tensor(ids, { dtype: 'int64', device: DEVICE });
    expect(() => nn.functional.crossEntropy(logits, target([0, 4, 1]))).toThrow(/Target 4 is out of bounds/);
    expect(() => nn.functional.crossEntropy(logits, target([0, -1, 1]))).toThrow(/Target -1 is out of bounds/);
    // The ignored index is out of range on purpose and passes.
    expect(nn.functional.crossEntropy(logits, target([0, -100, 3])).item()).toBeCloseTo(Math.log(4), 5);
    expect(nn.functional.crossEntropy(logits, target([7, 1, 7]), { ignoreIndex: 7 }).item()).toBeCloseTo(Math.log(4), 5);
  });

  test('disposed tensors and foreign objects', () => {
    const t = zeros([2]);
    t.dispose();
    expect(() => t.sum()).toThrow(/disposed/);
    expect(() => zeros([2]).add({} as never)).toThrow(/Tensor, number or boolean for other but received object/);
    expect(() => zeros([2]).matmul([1, 2] as never)).toThrow(/a Tensor for other but received array/);
    // A fake object shaped like a Tensor cannot reach native code.
    const fake = Object.create(Tensor.prototype) as Tensor;
    (fake as unknown as { _h: unknown })._h = {};
    expect(() => zeros([2]).add(fake)).toThrow(/Tensor handle/);
  });

  test('errors carry no C++ backtrace', () => {
    try {
      zeros([2, 3]).matmul(zeros([4, 5]));
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(TorchError);
      expect((e as Error).name).toBe('TorchError');
      expect((e as Error).message).not.toMatch(/Exception raised from|frame #/);
    }
  });
});
