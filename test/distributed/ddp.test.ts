// DistributedDataParallel: two processes on two halves of each batch end where one process on the
// whole batch ends (PyTorch's DDP guarantee), after 20 steps of SGD and of Adam.
import { distributed, nn } from '../../lib';
import { maxDiff, runRanks } from './helpers';

const available = distributed.isAvailable();
if (!available) console.warn(`skipping the DDP tests: ${distributed.availability().reason}`);
const maybe = available ? describe : describe.skip;

maybe('DistributedDataParallel (Gloo, 2 processes)', () => {
  for (const opt of ['sgd', 'adam']) {
    test(`2 ranks x 4 examples == 1 process x 8 examples after 20 ${opt} steps`, async () => {
      const [single] = await runRanks([{ args: [`single-${opt}`] }]);
      const ranks = await runRanks([{ args: [`ddp-${opt}`] }, { args: [`ddp-${opt}`] }]);
      for (const r of [single, ...ranks]) expect({ rank: r.rank, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ rank: r.rank, code: 0, stderr: '' });
      const ref = single.result!.params as Record<string, number[]>;
      const p0 = ranks[0].result!.params as Record<string, number[]>;
      const p1 = ranks[1].result!.params as Record<string, number[]>;
      // Both ranks hold identical parameters (all-reduced gradients, same optimizer steps)...
      expect(maxDiff(p0, p1)).toBe(0);
      // ...equal to the single process's to float32 rounding (a different summation order).
      const diff = maxDiff(p0, ref);
      console.log(`${opt}: max |DDP - single| over ${Object.values(ref).reduce((n, v) => n + v.length, 0)} parameters = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-5);
      // Rank 1 started from other values (its own seed) and was given rank 0's by the constructor.
      expect(maxDiff(ranks[1].result!.initial as Record<string, number[]>, single.result!.initial as Record<string, number[]>)).toBe(0);
      // And training moved them far more than the tolerance: not two untouched initialisations.
      expect(maxDiff(ref, single.result!.initial as Record<string, number[]>)).toBeGreaterThan(1e-2);
    });
  }
});

maybe('DistributedDataParallel.noSync (gradient accumulation)', () => {
  // Averaging is linear, so this checks that noSync keeps the semantics (local accumulation, then one
  // averaged sum) and that the Reducer accepts the unsynchronised backward; not that it sent nothing.
  test('2 ranks, 2 micro-batches a step, the first in noSync == 1 process accumulating both, after 10 SGD steps', async () => {
    const [single] = await runRanks([{ args: ['single-accumulate'] }]);
    const ranks = await runRanks([{ args: ['ddp-accumulate'] }, { args: ['ddp-accumulate'] }]);
    for (const r of [single, ...ranks]) expect({ rank: r.rank, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ rank: r.rank, code: 0, stderr: '' });
    const ref = single.result!.params as Record<string, number[]>;
    expect(maxDiff(ranks[0].result!.params as Record<string, number[]>, ranks[1].result!.params as Record<string, number[]>)).toBe(0);
    const diff = maxDiff(ranks[0].result!.params as Record<string, number[]>, ref);
    console.log(`noSync accumulation: max |DDP - single| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    expect(maxDiff(ref, single.result!.initial as Record<string, number[]>)).toBeGreaterThan(1e-2);
  });
});

maybe('DistributedDataParallel with a parameter forward does not use', () => {
  test('without findUnusedParameters: a DistributedError at the next step naming it; with it: training goes on', async () => {
    const refused = await runRanks([{ args: ['unused'] }, { args: ['unused'] }]);
    for (const r of refused) {
      expect(r.code).toBe(0);
      expect(r.result!.steps).toBe(1);
      expect(r.result!.error).toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_FAILED', message: expect.stringMatching(/Parameter names which did not receive grad for rank \d: spare\.weight, spare\.bias/) });
      expect((r.result!.error as { message: string }).message).toMatch(/`findUnusedParameters: true`/);
    }
    const found = await runRanks([{ args: ['unused-found'] }, { args: ['unused-found'] }]);
    for (const r of found) {
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.result!.error).toBeUndefined();
      expect(r.result!.steps).toBe(3);
    }
  });
});

maybe('DistributedDataParallel API', () => {
  test('needs a process group, names the problem', () => {
    const model = new nn.Linear(2, 1);
    expect(() => new distributed.DistributedDataParallel(model)).toThrow(expect.objectContaining({ code: 'ERR_DIST_NOT_INITIALIZED' }));
    expect(() => new distributed.DistributedDataParallel({} as nn.Module)).toThrow(TypeError);
    model.dispose();
  });

  test('world size 1: wraps, names parameters module.*, dispose keeps the module', async () => {
    const { freePort } = await import('./helpers');
    await distributed.initProcessGroup({ initMethod: `tcp://127.0.0.1:${await freePort()}`, rank: 0, worldSize: 1, timeoutMs: 20000 });
    try {
      expect(distributed.getRank()).toBe(0);
      expect(distributed.getWorldSize()).toBe(1);
      expect(distributed.getBackend()).toBe('gloo');
      const model = new nn.Linear(3, 1);
      const ddp = new distributed.DistributedDataParallel(model, { bucketCapMB: 1 });
      expect(ddp.module).toBe(model);
      expect(ddp.namedParameters().map(([n]) => n)).toEqual(['module.weight', 'module.bias']);
      expect(() => new distributed.DistributedDataParallel(model, { bucketCapMB: -1 })).toThrow(RangeError);
      expect(() => new distributed.DistributedDataParallel(model, { bogus: 1 } as never)).toThrow(/bogus/);
      ddp.dispose();
      expect(ddp.isDisposed).toBe(true);
      expect(() => ddp.forward()).toThrow(/disposed/);
      expect(model.isDisposed).toBe(false);
      model.dispose();
    } finally {
      expect(distributed.destroyProcessGroup()).toBe(true);
    }
    expect(distributed.isInitialized()).toBe(false);
  });
});
