import { tensor, noGrad, isGradEnabled, Tensor, tidy } from '../../lib';
import { DEVICE } from '../helpers/device';

describe('autograd', () => {
  test('backward fills grad of leaves that require it', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true, device: DEVICE });
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    expect(x.grad).toBeNull();
    const y = x.mul(x).sum(); // d/dx sum(x^2) = 2x
    expect(y.requiresGrad).toBe(true);
    y.backward();
    expect((x.grad as Tensor).toArray()).toEqual([2, 4, 6]);
    // Gradients accumulate, as in PyTorch.
    x.mul(3).sum().backward();
    expect((x.grad as Tensor).toArray()).toEqual([5, 7, 9]);
  });

  test('backward with an explicit gradient and retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.backward(tensor([1, 10]), { retainGraph: true });
    y.backward(tensor([1, 10]));
    expect((x.grad as Tensor).toArray()).toEqual([4, 40]);
  });

  test('detach and noGrad stop tracking', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(x.detach().requiresGrad).toBe(false);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(isGradEnabled()).toBe(true);
    expect(y.requiresGrad).toBe(false);
    // Grad mode is restored even when fn throws.
    expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  test('requiresGrad setter and integer tensors', () => {
    const w = tensor([0.5]);
    w.requiresGrad = true;
    w.mul(4).sum().backward();
    expect((w.grad as Tensor).item()).toBe(4);
    expect(() => tensor([1, 2], { dtype: 'int64', requiresGrad: true })).toThrow(/floating point/);
  });

  test('grad through a tidy scope survives when returned', () => {
    const x = tensor([3], { requiresGrad: true });
    const g = tidy(() => {
      x.mul(x).sum().backward();
      return x.grad as Tensor;
    });
    expect(g.item()).toBe(6);
  });

  test('setData swaps the data under the same tensor (PyTorch `t.data = d`)', () => {
    const p = tensor([1, 2, 3], { requiresGrad: true, device: DEVICE });
    const handle = p.handle;
    expect(p.shape).toEqual([3]); // read (and cached) before the swap
    const d = tensor([[1, 2], [3, 4]], { dtype: 'float64', device: DEVICE });
    expect(p.setData(d)).toBe(p);
    expect(p.handle).toBe(handle);
    expect(p.shape).toEqual([2, 2]);
    expect(p.dtype).toBe('float64');
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    // The two share memory, as in PyTorch; p outlives the tensor it took its data from.
    d.fill_(5);
    d.dispose();
    expect(p.toArray()).toEqual([[5, 5], [5, 5]]);
    p.mul(2).sum().backward();
    expect((p.grad as Tensor).toArray()).toEqual([[2, 2], [2, 2]]);
    expect(() => p.setData([1] as never)).toThrow(/Expected a Tensor for data but received array/);
    p.dispose();
    expect(() => p.setData(tensor([1]))).toThrow(/disposed/);
  });
});
