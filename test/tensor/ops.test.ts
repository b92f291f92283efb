import { tensor, cat, stack, where, arange, Tensor, randn } from '../../lib';
import { DEVICE } from '../helpers/device';

const T = (data: number[] | number[][], dtype: 'float32' | 'int64' = 'float32') => tensor(data, { dtype, device: DEVICE });
const close = (a: Tensor, b: number[] | number[][] | number) => {
  const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x as number]);
  const got = flat(a.toArray());
  const want = flat(b);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
};

describe('tensor ops follow PyTorch', () => {
  test('arithmetic with tensors and scalars, broadcasting', () => {
    const a = T([[1, 2], [3, 4]]);
    const b = T([10, 20]);
    close(a.add(b), [[11, 22], [13, 24]]);
    close(a.sub(1), [[0, 1], [2, 3]]);
    close(a.mul(a), [[1, 4], [9, 16]]);
    close(a.div(2), [[0.5, 1], [1.5, 2]]);
    close(a.pow(2), [[1, 4], [9, 16]]);
    close(a.neg().abs(), [[1, 2], [3, 4]]);
    close(T([7, -7], 'int64').remainder(3), [1, 2]);
    close(a.maximum(2.5), [[2.5, 2.5], [3, 4]]);
    close(T([1, 4]).sqrt(), [1, 2]);
    close(T([0]).exp(), [1]);
    close(T([0]).sigmoid(), [0.5]);
    close(T([-1, 1]).relu(), [0, 1]);
    close(T([0.4, 0.6, 2.5]).round(), [0, 1, 2]); // round half to even, as torch.round
    close(T([-3, 5]).clamp(-1, 1), [-1, 1]);
  });

  test('comparison and logic give bool tensors', () => {
    const a = T([1, 2, 3]);
    expect(a.gt(1).toArray()).toEqual([false, true, true]);
    expect(a.eq(T([1, 0, 3])).toArray()).toEqual([true, false, true]);
    expect(a.le(2).logicalAnd(a.ge(2)).toArray()).toEqual([false, true, false]);
    expect(a.lt(2).logicalOr(a.gt(2)).logicalNot().toArray()).toEqual([false, true, false]);
    expect(a.ne(2).dtype).toBe('bool');
  });

  test('matmul', () => {
    const a = T([[1, 2, 3], [4, 5, 6]]);
    const b = T([[1, 0], [0, 1], [1, 1]]);
    close(a.matmul(b), [[4, 5], [10, 11]]);
    close(a.t(), [[1, 4], [2, 5], [3, 6]]);
  });

  test('reductions with and without dims', () => {
    const a = T([[1, 2, 3], [4, 5, 6]]);
    expect(a.sum().item()).toBe(21);
    close(a.sum(0), [5, 7, 9]);
    close(a.sum(1, true), [[6], [15]]);
    expect(a.sum(1, true).shape).toEqual([2, 1]);
    close(a.mean(1), [2, 5]);
    close(a.mean([0, 1]), 3.5);
    expect(a.max().item()).toBe(6);
    const m = a.max(1);
    close(m.values, [3, 6]);
    expect(m.indices.toArray()).toEqual([2, 2]);
    expect(a.argmax(0).toArray()).toEqual([1, 1, 1]);
    expect(a.argmax().item()).toBe(5);
    expect(a.min(0).values.toArray()).toEqual([1, 2, 3]);
    const s = T([3, 1, 2]).sort(0, true);
    expect(s.values.toArray()).toEqual([3, 2, 1]);
    expect(s.indices.toArray()).toEqual([0, 2, 1]);
  });

  test('shape ops', () => {
    const a = arange(6, undefined, 1, { device: DEVICE });
    expect(a.view(2, 3).shape).toEqual([2, 3]);
    expect(a.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(a.view(2, 3).permute(1, 0).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(a.view(2, 3).transpose(0, 1).contiguous().view(6).toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(a.unsqueeze(0).shape).toEqual([1, 6]);
    expect(a.unsqueeze(1).squeeze(1).shape).toEqual([6]);
    expect(a.view(1, 6, 1).squeeze().shape).toEqual([6]);
    expect(a.view(2, 3).flatten().shape).toEqual([6]);
    expect(cat([a, a]).shape).toEqual([12]);
    expect(cat([a.view(2, 3), a.view(2, 3)], 1).shape).toEqual([2, 6]);
    expect(stack([a, a], 1).shape).toEqual([6, 2]);
    expect(a.view(2, 3).expand(4, 2, 3).shape).toEqual([4, 2, 3]);
  });

  test('indexing by ranges, integers, masks and index tensors', () => {
    const a = arange(12, undefined, 1, { device: DEVICE }).view(3, 4);
    expect(a.index(1).toArray()).toEqual([4, 5, 6, 7]);
    expect(a.index(null, { start: 1, stop: 3 }).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(a.index({ step: 2 }).toArray()).toEqual([[0, 1, 2, 3], [8, 9, 10, 11]]);
    expect(a.index('...', -1).toArray()).toEqual([3, 7, 11]);
    expect(a.index('newaxis').shape).toEqual([1, 3, 4]);
    expect(a.slice(1, 2).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(a.select(0, 2).toArray()).toEqual([8, 9, 10, 11]);
    expect(a.narrow(1, 1, 2).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    const mask = a.gt(8);
    expect(a.index(mask).toArray()).toEqual([9, 10, 11]);
    expect(a.maskedSelect(mask).toArray()).toEqual([9, 10, 11]);
    expect(a.maskedFill(mask, -1).index(2).toArray()).toEqual([8, -1, -1, -1]);
    const idx = tensor([2, 0], { dtype: 'int64', device: DEVICE });
    expect(a.indexSelect(0, idx).index(null, 0).toArray()).toEqual([8, 0]);
    expect(a.index(idx).shape).toEqual([2, 4]);
    expect(where(mask, a, a.neg()).index(0).toArray()).toEqual([0, -1, -2, -3]);
    const b = a.clone();
    b.indexPut_([0, null], 7);
    expect(b.index(0).toArray()).toEqual([7, 7, 7, 7]);
    expect(a.index(0).toArray()).toEqual([0, 1, 2, 3]);
  });

  test('in-place initialisers', () => {
    const t = randn([1000], { device: DEVICE });
    t.uniform_(-0.5, 0.5);
    expect(t.amax().item()).toBeLessThanOrEqual(0.5);
    expect(t.amin().item()).toBeGreaterThanOrEqual(-0.5);
    t.fill_(3);
    expect(t.sum().item()).toBe(3000);
    t.zero_().add_(2, 3);
    expect(t.amin().item()).toBe(6);
    expect(t.mean().item()).toBeCloseTo(6, 5); // a GPU reduction may round in the last bit
  });
});
