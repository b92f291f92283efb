// The process group: rendezvous from torchrun's variables, collectives between two Node processes, and
// the errors a user meets before any peer is involved.
import { distributed, tensor } from '../../lib';
import { resolveInit } from '../../lib/distributed/process-group';
import { freePort, runRanks } from './helpers';

const available = distributed.isAvailable();
if (!available) console.warn(`skipping the process-group tests: ${distributed.availability().reason}`);
const maybe = available ? describe : describe.skip;

maybe('process group (Gloo)', () => {
  test('two Node ranks: allReduce sum and max, broadcast from rank 1, barrier', async () => {
    const runs = await runRanks([{ args: ['collectives'] }, { args: ['collectives'] }]);
    for (const r of runs) {
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.result).toMatchObject({ rank: r.rank, worldSize: 2, sum: [3, 30, -1], max: [2, -1], broadcast: [42, 7] });
    }
  });

  test('before init: not initialized, collectives refuse with ERR_DIST_NOT_INITIALIZED', async () => {
    expect(distributed.isInitialized()).toBe(false);
    expect(() => distributed.getRank()).toThrow(expect.objectContaining({ code: 'ERR_DIST_NOT_INITIALIZED' }));
    const t = tensor([1], { dtype: 'float32' });
    await expect(distributed.allReduce(t)).rejects.toMatchObject({ name: 'DistributedError', code: 'ERR_DIST_NOT_INITIALIZED' });
    await expect(distributed.barrier()).rejects.toMatchObject({ code: 'ERR_DIST_NOT_INITIALIZED' });
    expect(distributed.destroyProcessGroup()).toBe(false);
    t.dispose();
  });

  test('env:// reads torchrun variables; bad or missing ones are ERR_DIST_CONFIG', () => {
    const env = { MASTER_ADDR: 'node0', MASTER_PORT: '29501', RANK: '1', WORLD_SIZE: '4' };
    expect(resolveInit({}, env)).toMatchObject({ host: 'node0', port: 29501, rank: 1, worldSize: 4, backend: 'gloo', timeoutMs: 1800000 });
    expect(resolveInit({ initMethod: 'tcp://10.0.0.2:1234', rank: 0, worldSize: 2, timeoutMs: 5 }, {})).toMatchObject({ host: '10.0.0.2', port: 1234, rank: 0, worldSize: 2, timeoutMs: 5 });
    for (const [bad, why] of [
      [{ ...env, MASTER_ADDR: '' }, /MASTER_ADDR/],
      [{ ...env, MASTER_PORT: '70000' }, /MASTER_PORT/],
      [{ ...env, RANK: 'x' }, /RANK/],
      [{ ...env, RANK: '4' }, /not below worldSize/],
      [{ MASTER_ADDR: 'a', MASTER_PORT: '1' }, /WORLD_SIZE/],
    ] as const) {
      expect(() => resolveInit({}, bad)).toThrow(expect.objectContaining({ code: 'ERR_DIST_CONFIG', message: expect.stringMatching(why) }));
    }
    expect(() => resolveInit({ initMethod: 'file:///tmp/x', rank: 0, worldSize: 1 }, {})).toThrow(expect.objectContaining({ code: 'ERR_DIST_CONFIG' }));
    expect(() => resolveInit({ backend: 'mpi' as never }, env)).toThrow(TypeError);
    expect(() => resolveInit({ timeoutMs: 0 }, env)).toThrow(RangeError);
    expect(() => resolveInit({ rnak: 1 } as never, env)).toThrow(/rnak/);
  });

  test("'nccl' says it is not in this build; a second init is refused; a tensor argument is checked", async () => {
    await expect(distributed.initProcessGroup({ backend: 'nccl', initMethod: 'tcp://127.0.0.1:1', rank: 0, worldSize: 1 })).rejects.toMatchObject({ code: 'ERR_DIST_UNAVAILABLE' });
    const port = await freePort();
    await distributed.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1, timeoutMs: 20000 });
    try {
      await expect(distributed.initProcessGroup({ initMethod: `tcp://127.0.0.1:${port}`, rank: 0, worldSize: 1 })).rejects.toMatchObject({ code: 'ERR_DIST_ALREADY_INITIALIZED' });
      expect(() => distributed.allReduce([1, 2] as never)).toThrow(TypeError);
      expect(() => distributed.allReduce(tensor([1]), 'avg' as never)).toThrow(TypeError);
      const nc = tensor([[1, 2], [3, 4]], { dtype: 'float32' });
      const view = nc.t();
      await expect(distributed.allReduce(view)).rejects.toThrow(/contiguous/);
      await distributed.allReduce(nc, 'product');
      expect(nc.toArray()).toEqual([[1, 2], [3, 4]]);
      nc.dispose();
      view.dispose();
    } finally {
      distributed.destroyProcessGroup();
    }
  });
});
