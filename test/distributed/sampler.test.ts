// DistributedSampler and BucketIterator's `shard` option: every rank gets an equal, disjoint share
// (except PyTorch's padding), together covering the data, reshuffled per epoch with a shared seed.
import { BucketIterator, Dataset, Field, LabelField } from '../../lib/data';
import { DistributedSampler, shardIndices } from '../../lib/distributed/sampler';

/** Each rank's indices, as `world` separate processes would compute them (a new sampler each). */
function shards(n: number, world: number, options: { seed?: number; dropLast?: boolean; shuffle?: boolean; epoch?: number } = {}): number[][] {
  const { epoch, ...rest } = options;
  return Array.from({ length: world }, (_, rank) => {
    const s = new DistributedSampler(n, { numReplicas: world, rank, ...rest });
    if (epoch !== undefined) s.setEpoch(epoch);
    return [...s];
  });
}

/** Undoes rank r = indices[r::world]: the padded global order the ranks shared. */
function interleave(parts: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < parts[0].length; i++) for (const p of parts) out.push(p[i]);
  return out;
}

describe('DistributedSampler', () => {
  // Expected values printed by PyTorch 1.13's torch.utils.data.DistributedSampler(range(n), shuffle=False).
  test.each([
    [10, 3, false, [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]],
    [10, 3, true, [[0, 3, 6], [1, 4, 7], [2, 5, 8]]],
    [2, 4, false, [[0], [1], [0], [1]]],
    [7, 2, false, [[0, 2, 4, 6], [1, 3, 5, 0]]],
  ])("without shuffle, PyTorch's shards: n=%d, replicas=%d, dropLast=%s", (n, world, dropLast, expected) => {
    expect(shards(n, world, { shuffle: false, dropLast })).toEqual(expected);
  });

  test.each([[0, 2], [1, 2], [2, 3], [7, 2], [100, 4], [101, 4], [101, 8], [5, 1]])('n=%d, %d ranks: equal, disjoint but for padding, covering', (n, world) => {
    const parts = shards(n, world, { seed: 42 });
    const per = Math.ceil(n / world);
    for (const p of parts) expect(p).toHaveLength(per);
    const all = parts.flat();
    expect(new Set(all).size).toBe(n);
    expect(all.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
    // Padding: exactly per * world - n repeats, each a repeat of the start of the shared order.
    const global = interleave(parts);
    expect(global).toHaveLength(per * world);
    expect(new Set(global.slice(0, n)).size).toBe(n);
    expect(global.slice(n)).toEqual(Array.from({ length: per * world - n }, (_, i) => global[i % n]));

    const dropped = shards(n, world, { seed: 42, dropLast: true });
    for (const p of dropped) expect(p).toHaveLength(Math.floor(n / world));
    expect(new Set(dropped.flat()).size).toBe(Math.floor(n / world) * world);
  });

  test('one permutation shared by every rank: the shards interleave into the 1-replica order', () => {
    const n = 1000;
    const single = [...new DistributedSampler(n, { numReplicas: 1, rank: 0, seed: 7 })];
    expect(single).not.toEqual(Array.from({ length: n }, (_, i) => i));
    expect(interleave(shards(n, 4, { seed: 7 }))).toEqual(single);
    expect(interleave(shards(n, 5, { seed: 7 }))).toEqual(single);
  });

  test('reshuffled each epoch (seed + epoch), the same again for the same epoch', () => {
    const s = new DistributedSampler(500, { numReplicas: 2, rank: 1, seed: 3 });
    const e0 = [...s];
    s.setEpoch(1);
    const e1 = [...s];
    expect(e1).not.toEqual(e0);
    expect(new Set(e1).size).toBe(250);
    s.setEpoch(0);
    expect([...s]).toEqual(e0);
    expect(s.epoch).toBe(0);
    // seed + epoch: epoch 1 of seed 3 is epoch 0 of seed 4.
    const other = new DistributedSampler(500, { numReplicas: 2, rank: 1, seed: 4 });
    expect([...other]).toEqual(e1);
    // Epoch 1 on both ranks still splits the data.
    const both = shards(500, 2, { seed: 3, epoch: 1 });
    expect(new Set(both.flat()).size).toBe(500);
  });

  test('lengths: numSamples, totalSize, length; a Dataset or an array as the dataset', () => {
    const s = new DistributedSampler(['a', 'b', 'c', 'd', 'e'], { numReplicas: 2, rank: 0 });
    expect([s.datasetLength, s.numSamples, s.totalSize, s.length]).toEqual([5, 3, 6, 3]);
    const ds = new Dataset([{ x: 1 }, { x: 2 }, { x: 3 }], {});
    expect(new DistributedSampler(ds, { numReplicas: 3, rank: 2, dropLast: true }).length).toBe(1);
    expect(shardIndices(3, { numReplicas: 2, rank: 1, shuffle: false, seed: 0, dropLast: false, epoch: 0 })).toEqual([1, 0]);
  });

  test('numReplicas and rank default to WORLD_SIZE and RANK (set by torch-sentiment launch)', () => {
    const saved = { WORLD_SIZE: process.env.WORLD_SIZE, RANK: process.env.RANK };
    try {
      process.env.WORLD_SIZE = '3';
      process.env.RANK = '2';
      const s = new DistributedSampler(9);
      expect([s.numReplicas, s.rank]).toEqual([3, 2]);
      process.env.RANK = '3';
      expect(() => new DistributedSampler(9)).toThrow(/Expected an integer in \[0, 2\] for the RANK environment variable/);
      delete process.env.WORLD_SIZE;
      delete process.env.RANK;
      expect(() => new DistributedSampler(9)).toThrow(/WORLD_SIZE environment variable.*for options\.numReplicas but received undefined/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test.each([
    [() => new DistributedSampler(10, { numReplicas: 2, rank: 2 }), RangeError, 'Expected an integer in [0, 1] for options.rank but received number 2'],
    [() => new DistributedSampler(10, { numReplicas: 0, rank: 0 }), RangeError, 'Expected an integer >= 1 for options.numReplicas but received number 0'],
    [() => new DistributedSampler(-1, { numReplicas: 1, rank: 0 }), RangeError, 'Expected an integer >= 0 for dataset but received number -1'],
    [() => new DistributedSampler('x' as unknown as number, { numReplicas: 1, rank: 0 }), TypeError, 'Expected a length or an object with a length'],
    [() => new DistributedSampler(10, { numReplicas: 1, rank: 0, seed: -1 }), RangeError, 'options.seed'],
    [() => new DistributedSampler(10, { numReplicas: 1, rank: 0, shufle: false } as never), TypeError, "Unknown option 'shufle'"],
    [() => new DistributedSampler(10, { numReplicas: 1, rank: 0 }).setEpoch(1.5), TypeError, 'Expected an integer for epoch'],
  ])('argument errors %#', (make, cls, message) => {
    expect(make).toThrow(cls);
    expect(make).toThrow(message);
  });
});

interface Ex { text: string[]; label: string; id: number }

function makeData(n: number): Dataset<Ex> {
  const TEXT = new Field();
  const LABEL = new LabelField({ dtype: 'float32' });
  const examples: Ex[] = [];
  let x = 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    examples.push({ text: Array.from({ length: 1 + (x % 200) }, (_, k) => `w${(i + k) % 50}`), label: i % 3 ? 'neg' : 'pos', id: i });
  }
  const ds = new Dataset<Ex>(examples, { text: TEXT, label: LABEL }, { sortKey: (e) => e.text.length });
  TEXT.buildVocab(ds);
  LABEL.buildVocab(ds);
  return ds;
}

describe('BucketIterator shard', () => {
  const ds = makeData(2001);

  function epochs(world: number, count: number, options: Record<string, unknown> = {}, shard: Record<string, unknown> = {}): Ex[][][][] {
    // [rank][epoch][batch][example], each rank with its own iterator (and its own batch-order seed)
    return Array.from({ length: world }, (_, rank) => {
      const it = new BucketIterator(ds, { batchSize: 32, seed: 100 + rank, ...options, shard: { rank, worldSize: world, seed: 9, ...shard } });
      return Array.from({ length: count }, () => it.nextEpochExamples());
    });
  }

  test('2 ranks: the same number of batches and examples, disjoint but for padding, covering the dataset', () => {
    const its = [0, 1].map((rank) => new BucketIterator(ds, { batchSize: 32, shard: { rank, worldSize: 2, seed: 5 } }));
    expect(its.map((it) => it.length)).toEqual([32, 32]); // ceil(1001 / 32)
    expect(its.map((it) => it.examplesPerEpoch)).toEqual([1001, 1001]);
    const [a, b] = epochs(2, 2);
    for (let e = 0; e < 2; e++) {
      expect(a[e]).toHaveLength(32);
      expect(b[e]).toHaveLength(32);
      const ea = a[e].flat();
      const eb = b[e].flat();
      expect(ea).toHaveLength(1001);
      expect(eb).toHaveLength(1001);
      expect(new Set([...ea, ...eb]).size).toBe(2001);
      // 2002 slots for 2001 examples: the last slot (rank 1's) repeats the first (rank 0's)
      expect(new Set(ea).size).toBe(1001);
      expect(new Set(eb).size).toBe(1001);
      const inB = new Set(eb);
      expect(ea.filter((x) => inB.has(x))).toHaveLength(1);
    }
    // A new share each epoch
    expect(new Set(a[0].flat())).not.toEqual(new Set(a[1].flat()));
  });

  test('dropLast: strictly disjoint equal shares; 3 ranks', () => {
    const parts = epochs(3, 1, {}, { dropLast: true }).map((r) => r[0]);
    const counts = parts.map((p) => p.length);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe(Math.ceil(667 / 32));
    const all = parts.flatMap((p) => p.flat());
    expect(all).toHaveLength(2001);
    expect(new Set(all).size).toBe(2001);
  });

  test("the shards are buckets too: the train iterator's pools still sort by length", () => {
    const rank0 = epochs(2, 1)[0][0];
    const spread = rank0.map((b) => Math.max(...b.map((e) => e.text.length)) - Math.min(...b.map((e) => e.text.length)));
    expect(spread.reduce((s, x) => s + x, 0) / spread.length).toBeLessThan(20); // lengths span 1..200
  });

  test('sorted (valid/test) iterators shard in order; splits shards every iterator', () => {
    const its = [0, 1].map((rank) => BucketIterator.splits([ds, makeData(301)], { batchSize: 50, seed: 1, shard: { rank, worldSize: 2 } }));
    expect(its.map(([train, valid]) => [train.length, valid.length])).toEqual([[21, 4], [21, 4]]);
    const valid = its.map(([, v]) => v.nextEpochExamples().flat());
    expect(valid.map((v) => v.length)).toEqual([151, 151]);
    // Unshuffled: rank r reads ids r, r + 2, ...; rank 1's padding repeats id 0.
    const ids = valid.map((v) => v.map((e) => e.id).sort((x, y) => x - y));
    expect(ids[0]).toEqual(Array.from({ length: 151 }, (_, i) => 2 * i));
    expect(ids[1]).toEqual([0, ...Array.from({ length: 150 }, (_, i) => 2 * i + 1)]);
    // Still sorted: each batch by decreasing length, the batches by increasing length.
    const batches = its[1][1].nextEpochExamples().map((b) => b.map((e) => e.text.length));
    for (let i = 0; i < batches.length; i++) {
      expect(batches[i]).toEqual([...batches[i]].sort((x, y) => y - x));
      if (i > 0) expect(batches[i][0]).toBeGreaterThanOrEqual(batches[i - 1][0]);
    }
  });

  test.each([2, 3])("by 'batches', %i ranks: rank r's batches are every r-th example of one process's (batch x ranks), epoch after epoch", (world) => {
    for (const options of [{ train: true }, { train: false }, { train: true, sortWithinBatch: true }]) {
      const one = new BucketIterator(ds, { batchSize: 8 * world, seed: 77, ...options });
      const ranks = Array.from({ length: world }, (_, rank) => new BucketIterator(ds, { batchSize: 8, seed: 77, ...options, shard: { rank, worldSize: world, by: 'batches' } }));
      // 2001 examples: 125 full batches of 16 and one of 1 (dropped) for 2 ranks; 83 of 24 and one of 9 for 3.
      const expected = world === 2 ? 125 : 84;
      expect(ranks.map((it) => it.length)).toEqual(Array(world).fill(expected));
      for (let epoch = 0; epoch < 2; epoch++) {
        const whole = one.nextEpochExamples().filter((b) => b.length >= world);
        const parts = ranks.map((it) => it.nextEpochExamples());
        expect(parts.map((p) => p.length)).toEqual(Array(world).fill(whole.length));
        parts.forEach((p, rank) => expect(p.flat().length).toBe(ranks[rank].examplesPerEpoch));
        whole.forEach((batch, i) => {
          const merged = batch.map((_, j) => parts[j % world][i][Math.floor(j / world)]);
          expect(merged.map((e) => e.id)).toEqual(batch.map((e) => e.id));
        });
      }
    }
  });

  test("by 'batches' needs the iterator's seed (every rank must make the same global batches)", () => {
    expect(() => new BucketIterator(ds, { batchSize: 8, shard: { rank: 0, worldSize: 2, by: 'batches' } })).toThrow(/needs options.seed/);
    expect(() => new BucketIterator(ds, { batchSize: 8, seed: 1, shard: { rank: 0, worldSize: 2, by: 'rows' as never } })).toThrow(TypeError);
  });

  test.each([
    [{ rank: 2, worldSize: 2 }, RangeError, 'Expected an integer in [0, 1] for options.shard.rank but received number 2'],
    [{ rank: 0, worldSize: 0 }, RangeError, 'Expected an integer >= 1 for options.shard.worldSize but received number 0'],
    [{ rank: -1, worldSize: 2 }, RangeError, 'options.shard.rank'],
    [{ worldSize: 2 }, TypeError, 'Expected an integer for options.shard.rank but received undefined'],
    [{ rank: 0, worldSize: 2, seed: 2 ** 32 }, RangeError, 'options.shard.seed'],
    [{ rank: 0, worldSize: 2, droplast: true }, TypeError, "Unknown option 'droplast'"],
    [4, TypeError, 'Expected an object { rank, worldSize, seed?, dropLast? } for options.shard but received number 4'],
  ])('shard errors: %j', (shard, cls, message) => {
    const make = () => new BucketIterator(ds, { batchSize: 8, shard: shard as never });
    expect(make).toThrow(cls);
    expect(make).toThrow(message);
  });
});
