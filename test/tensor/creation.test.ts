import { tensor, zeros, ones, full, randn, rand, randint, arange, empty, manualSeed, Tensor, zerosLike } from '../../lib';
import { inspect } from 'util';
import { DEVICE } from '../helpers/device';

describe('creating tensors', () => {
  test('from typed arrays keeps their dtype and copies the data', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    const t = tensor(src, { shape: [2, 3], device: DEVICE });
    src[0] = 100;
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.device).toBe(DEVICE === 'cuda' ? 'cuda:0' : DEVICE);
    expect(t.numel).toBe(6);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(new Int32Array([1, -2])).dtype).toBe('int32');
    expect(Array.from(tensor(new Float64Array([0.1])).toTypedArray() as Float64Array)).toEqual([0.1]);
    expect(Array.from(tensor(new BigInt64Array([2n ** 40n])).toTypedArray() as BigInt64Array)).toEqual([2n ** 40n]);
  });

  test('Int32Array to int64, as token ids travel', () => {
    const ids = Int32Array.from({ length: 300 * 64 }, (_, i) => i % 25002);
    const t = tensor(ids, { shape: [300, 64], dtype: 'int64', device: DEVICE });
    expect(t.dtype).toBe('int64');
    const back = t.toTypedArray() as BigInt64Array;
    expect(back.length).toBe(ids.length);
    expect(Number(back[12345])).toBe(ids[12345]);
  });

  test('from nested arrays, numbers and booleans', () => {
    expect(tensor([[1.5, 2], [3, 4]]).dtype).toBe('float32');
    expect(tensor([[1.5, 2], [3, 4]]).toArray()).toEqual([[1.5, 2], [3, 4]]);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(tensor([1, 2, 3], { dtype: 'int64' }).toArray()).toEqual([1, 2, 3]);
    const s = tensor(7);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(7);
    expect(tensor([]).shape).toEqual([0]);
  });

  test('every dtype round-trips', () => {
    for (const dtype of ['float32', 'float64', 'int32', 'int64', 'bool'] as const) {
      const t = tensor([0, 1, 1, 0], { dtype, device: DEVICE });
      expect(t.dtype).toBe(dtype);
      expect(t.toArray()).toEqual(dtype === 'bool' ? [false, true, true, false] : [0, 1, 1, 0]);
    }
  });

  test('factories', () => {
    expect(zeros([2, 3], { device: DEVICE }).sum().item()).toBe(0);
    expect(ones([2, 3], { dtype: 'int64' }).sum().item()).toBe(6);
    expect(full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
    expect(empty([4, 0]).numel).toBe(0);
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(5).dtype).toBe('int64');
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    const r = randint(3, 7, [1000]);
    expect(r.dtype).toBe('int64');
    expect(r.amin().item()).toBeGreaterThanOrEqual(3);
    expect(r.amax().item()).toBeLessThan(7);
    const u = rand([1000]);
    expect(u.amin().item()).toBeGreaterThanOrEqual(0);
    expect(u.amax().item()).toBeLessThan(1);
    expect(zerosLike(u).shape).toEqual([1000]);
  });

  test('randn is standard normal and manualSeed makes it repeatable', () => {
    manualSeed(42);
    const a = randn([20000]);
    manualSeed(42);
    const b = randn([20000]);
    expect(a.eq(b).all().item()).toBe(true);
    expect(Math.abs(a.mean().item() as number)).toBeLessThan(0.03);
    expect(Math.abs((a.std().item() as number) - 1)).toBeLessThan(0.03);
  });

  test('to() converts dtype and device; cpu() and float() shorthands', () => {
    const t = tensor([1.7, -2.2]);
    expect(t.to('int32').toArray()).toEqual([1, -2]);
    expect(t.to({ dtype: 'float64' }).dtype).toBe('float64');
    expect(t.to(DEVICE).cpu().toArray()).toEqual(t.toArray());
    expect(t.long().float().toArray()).toEqual([1, -2]);
    expect(t).toBeInstanceOf(Tensor);
  });

  test('JSON.stringify and util.inspect give a summary, for live and disposed tensors', () => {
    const x = zeros([2, 3], { device: DEVICE });
    const y = ones([4], { requiresGrad: true });
    const device = DEVICE === 'cuda' ? 'cuda:0' : DEVICE;
    // An object holding tensors stays serializable (the handle inside a tensor is a BigInt).
    expect(JSON.parse(JSON.stringify({ x, y, n: 1 }))).toEqual({
      x: { shape: [2, 3], dtype: 'float32', device },
      y: { shape: [4], dtype: 'float32', device: 'cpu' },
      n: 1,
    });
    expect(inspect(x)).toBe(`Tensor(shape=[2, 3], dtype=float32, device=${device})`);
    expect(inspect([y])).toBe('[ Tensor(shape=[4], dtype=float32, device=cpu, requiresGrad) ]');
    x.dispose();
    y.dispose();
    expect(JSON.stringify(x)).toBe('{"disposed":true}');
    expect(inspect(x)).toBe('Tensor(disposed)');
  });
});
