// The safety net (a FinalizationRegistry) and dispose(): a disposed tensor is unregistered, so its
// finalizer never runs with a handle that, once the slot's 24-bit generation wraps, could name another
// tensor. Observed through safetyNetStats(): finalizers that found their handle already freed ("stale")
// must stay 0, and the tensor that reused the slot must survive.
import { safetyNetStats, liveTensors } from '../../lib/tensor';
import { zeros, ones } from '../../lib/factories';
import { report } from './helpers/family';

const gc = (global as { gc?: () => void }).gc;

async function collect(rounds = 6): Promise<void> {
  if (!gc) throw new Error('run the tests with `npm test` (node --expose-gc)');
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('dispose() unregisters from the safety net: no finalizer runs for a disposed tensor', async () => {
  const live = liveTensors();
  const start = safetyNetStats();
  const n = 200;
  let fresh: ReturnType<typeof ones>[] = [];
  (() => {
    const tensors = Array.from({ length: n }, () => zeros([4]));
    return tensors;
  })();
  await Promise.resolve(); // the batched registration runs at the next microtask
  await collect(); // the undisposed ones above are collected by the safety net
  const mid = safetyNetStats();
  await (async () => {
    const disposed = Array.from({ length: n }, () => zeros([4]));
    await Promise.resolve(); // registered now
    for (const t of disposed) t.dispose();
    fresh = Array.from({ length: n }, () => ones([4])); // they reuse the freed slots
  })();
  await collect();
  const end = safetyNetStats();
  const counts = { attempts: n, handled: end.unregistered - mid.unregistered, crashes: 0, leaks: Math.max(0, liveTensors() - live - n) };
  report('safety net after dispose', counts);
  expect(mid.collected - start.collected).toBeGreaterThanOrEqual(1); // the net itself works
  expect(end.unregistered - mid.unregistered).toBe(n);
  expect(end.stale - start.stale).toBe(0);
  expect(fresh.every((t) => !t.isDisposed && t.sum().item() === 4)).toBe(true);
  for (const t of fresh) t.dispose();
  expect(counts.leaks).toBe(0);
});
