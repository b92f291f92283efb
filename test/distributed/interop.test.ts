// The proof that this is PyTorch's engine: a Node rank and a Python rank (python3-torch's
// torch.distributed and DistributedDataParallel, Gloo) in one process group.
import * as fs from 'fs';
import { distributed } from '../../lib';
import { PYTHON, maxDiff, runRanks } from './helpers';

const available = distributed.isAvailable();
const python = fs.existsSync(PYTHON);
if (!available) console.warn(`skipping the interop tests: ${distributed.availability().reason}`);
if (!python) console.warn(`skipping the interop tests: ${PYTHON} (python3-torch) is not installed`);
const maybe = available && python ? describe : describe.skip;

maybe('Node rank + Python rank in one Gloo group', () => {
  test.each([
    ['Node rank 0, Python rank 1', ['node', 'python'] as const],
    ['Python rank 0, Node rank 1', ['python', 'node'] as const],
  ])('%s: allReduce, broadcast, barrier', async (_name, kinds) => {
    const runs = await runRanks(kinds.map((kind) => ({ kind, args: ['collectives'] })));
    for (const r of runs) {
      expect({ rank: r.rank, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ rank: r.rank, code: 0, stderr: '' });
      expect(r.result).toMatchObject({ rank: r.rank, worldSize: 2, sum: [3, 30, -1], max: [2, -1], broadcast: [42, 7] });
    }
  });

  test("DistributedDataParallel: Node's and Python's DDP average a model's gradients as one process on the whole batch", async () => {
    const [single] = await runRanks([{ args: ['single-grads'] }]);
    expect({ code: single.code, stderr: single.code === 0 ? '' : single.stderr }).toEqual({ code: 0, stderr: '' });
    const [node, py] = await runRanks([{ kind: 'node', args: ['grads'] }, { kind: 'python', args: ['grads'] }]);
    for (const r of [node, py]) expect({ rank: r.rank, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ rank: r.rank, code: 0, stderr: '' });
    const ref = single.result!;
    // Python's rank started from its own seed; DDP gave it Node rank 0's parameters.
    expect(maxDiff(py.result!.params as Record<string, number[]>, node.result!.params as Record<string, number[]>)).toBe(0);
    expect(maxDiff(node.result!.params as Record<string, number[]>, ref.params as Record<string, number[]>)).toBe(0);
    // Both hold the same averaged gradients, equal to the whole batch's.
    const grads = ref.grads as Record<string, number[]>;
    expect(maxDiff(node.result!.grads as Record<string, number[]>, py.result!.grads as Record<string, number[]>)).toBe(0);
    const diff = maxDiff(node.result!.grads as Record<string, number[]>, grads);
    console.log(`interop DDP: max |averaged grad - whole-batch grad| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-5);
    expect(Math.max(...Object.values(grads).flat().map(Math.abs))).toBeGreaterThan(1e-3);
  });
});
