import { tensor, tidy, keep, liveTensors, randn, zeros, ones, TorchError, Tensor, cat } from '../../lib';
import { native } from '../../lib/native';
import { DEVICE } from '../helpers/device';

describe('memory: JS owns native tensors', () => {
  test('dispose frees, is idempotent, and later use throws', () => {
    const before = liveTensors();
    const t = zeros([2, 2], { device: DEVICE });
    expect(liveTensors()).toBe(before + 1);
    t.dispose();
    t.dispose();
    expect(liveTensors()).toBe(before);
    expect(t.isDisposed).toBe(true);
    expect(() => t.add(1)).toThrow(TorchError);
    expect(() => t.shape).toThrow('disposed');
    expect(() => zeros([1]).add(t)).toThrow('disposed');
    expect(String(t)).toBe('Tensor(disposed)');
  });

  test('Symbol.dispose works with `using`-style cleanup', () => {
    const before = liveTensors();
    {
      const t = zeros([3]);
      t[Symbol.dispose]();
    }
    expect(liveTensors()).toBe(before);
  });

  test('tidy of 10,000 mixed ops returns the count to where it started', () => {
    const before = liveTensors();
    const kept = tidy(() => {
      let acc = zeros([8, 8], { device: DEVICE });
      for (let i = 0; i < 2500; i++) {
        const r = randn([8, 8], { device: DEVICE });
        acc = acc.add(r.mul(0.01)).relu(); // 3 results + 1 input per round: 10,000 tensors in all
      }
      return acc.sum();
    });
    expect(liveTensors()).toBe(before + 1);
    expect(typeof kept.item()).toBe('number');
    kept.dispose();
    expect(liveTensors()).toBe(before);
  });

  test('tidy keeps returned arrays/objects and keep(), disposes the rest, also on throw', () => {
    const before = liveTensors();
    let inner: Tensor | null = null;
    const out = tidy(() => {
      inner = zeros([1]);
      const k = keep(zeros([1]));
      return { a: [zeros([2])], k };
    });
    expect((inner as unknown as Tensor).isDisposed).toBe(true);
    expect(out.a[0].isDisposed).toBe(false);
    expect(liveTensors()).toBe(before + 2);
    out.a[0].dispose();
    out.k.dispose();
    expect(() =>
      tidy(() => {
        zeros([5]);
        throw new Error('fail inside');
      }),
    ).toThrow('fail inside');
    expect(liveTensors()).toBe(before);
  });

  test('tidy keeps tensors held in Maps and objects it returns (a batch, say)', () => {
    const before = liveTensors();
    class Holder {
      byName = new Map<string, Tensor>();
      dispose() {
        for (const t of this.byName.values()) t.dispose();
      }
    }
    const h = tidy(() => {
      const holder = new Holder();
      holder.byName.set('text', zeros([2]).add(1));
      return holder;
    });
    expect((h.byName.get('text') as Tensor).isDisposed).toBe(false);
    expect(liveTensors()).toBe(before + 1);
    h.dispose();
    expect(liveTensors()).toBe(before);
  });

  test('nested tidy moves returned tensors to the outer scope', () => {
    const before = liveTensors();
    tidy(() => {
      const x = tidy(() => zeros([3]).add(1));
      expect(x.isDisposed).toBe(false);
      expect(liveTensors()).toBe(before + 1);
      return undefined;
    });
    expect(liveTensors()).toBe(before);
  });

  test('tidy refuses async functions', () => {
    const before = liveTensors();
    expect(() => tidy((async () => zeros([1])) as unknown as () => Tensor)).toThrow(/synchronous/);
    expect(liveTensors()).toBe(before);
  });

  test('10,000 create/dispose cycles of a 64x300 tensor grow RSS by less than 10 MB', () => {
    const data = new Float32Array(64 * 300).fill(0.5);
    // Warm up allocator pools first, then measure.
    for (let i = 0; i < 500; i++) tensor(data, { shape: [64, 300], device: DEVICE }).dispose();
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    const before = liveTensors();
    for (let i = 0; i < 10000; i++) {
      const t = tensor(data, { shape: [64, 300], device: DEVICE });
      t.dispose();
    }
    const grown = (process.memoryUsage().rss - rss0) / 1e6;
    expect(liveTensors()).toBe(before);
    expect(grown).toBeLessThan(10);
  });

  test('10,000 create/dispose cycles of a 300 KB tensor grow RSS by less than 10 MB (no heap fragmentation)', () => {
    // With a napi finalizer per handle (before 0.1.0's slot table), each cycle left a small weak
    // reference behind in the freed block and this loop grew RSS by ~1.9 GB.
    for (let i = 0; i < 500; i++) ones([256, 300], { device: DEVICE }).dispose();
    if (global.gc) global.gc();
    const rss0 = process.memoryUsage().rss;
    const before = liveTensors();
    for (let i = 0; i < 10000; i++) ones([256, 300], { device: DEVICE }).dispose();
    expect(liveTensors()).toBe(before);
    expect((process.memoryUsage().rss - rss0) / 1e6).toBeLessThan(10);
  });

  test('a handle stays refused after its slot is reused by a new tensor', () => {
    const t = zeros([3]);
    const stale = t.handle;
    t.dispose();
    const fresh = ones([3]); // reuses the freed slot
    expect(native.isDisposed(stale)).toBe(true);
    expect(() => native.reduce('sum', stale, undefined, false)).toThrow(/disposed/);
    expect(native.dispose(stale)).toBe(false);
    expect(fresh.sum().item()).toBe(3); // the new tensor is untouched
    fresh.dispose();
  });

  test('forged and foreign handles are refused, never dereferenced', () => {
    const live = zeros([3]);
    const h = live.handle as unknown as bigint;
    // Same slot and generation but another tag, a negative and an over-wide BigInt, a slot past the
    // table's end, and values of other types: each is a TypeError, and the live tensor is untouched.
    const forged: unknown[] = [h ^ (1n << 60n), -h, h | (1n << 70n), (h & ~0xffffffn) | 0xfffffen, Number(h & 0xffffffn), {}, null, 'x'];
    for (const f of forged) {
      expect(() => native.reduce('sum', f as never, undefined, false)).toThrow(/must be a Tensor handle/);
      expect(() => native.dispose(f as never)).toThrow(/must be a Tensor handle/);
    }
    expect(live.sum().item()).toBe(0);
    live.dispose();
  });

  test('tensors dropped without dispose are freed by the garbage collector (safety net)', async () => {
    const gc = (global as { gc?: () => void }).gc;
    if (!gc) {
      // Forcing the finalizer path needs --expose-gc; `npm test` passes it.
      throw new Error('run the tests with `npm test` (node --expose-gc)');
    }
    const before = liveTensors();
    (() => {
      for (let i = 0; i < 100; i++) zeros([10]);
    })();
    expect(liveTensors()).toBe(before + 100);
    for (let i = 0; i < 10 && liveTensors() > before; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    // Earlier tests' unreferenced tensors may be collected too, so the count can drop below `before`.
    expect(liveTensors()).toBeLessThanOrEqual(before);
  });

  test('cat of many tensors inside tidy does not leak', () => {
    const before = liveTensors();
    const total = tidy(() => cat(Array.from({ length: 100 }, () => zeros([2]).add(1))).sum().item());
    expect(total).toBe(200);
    expect(liveTensors()).toBe(before);
  });
});
