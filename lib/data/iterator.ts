/**
 * `BucketIterator`: batches of examples of similar length, reshuffled every
 * epoch, as legacy torchtext's (Iterator + BucketIterator + pool):
 * - train (the first dataset of `splits`): the shuffled data is cut into pools
 *   of 100 batches, each pool is sorted by `sortKey` and cut into batches, and
 *   the batches of each pool are shuffled;
 * - valid/test: all examples sorted by `sortKey`, then cut into batches.
 * `sortWithinBatch` orders each batch by decreasing `sortKey` (for
 * `packPaddedSequence`). Each `for...of` over the iterator is one epoch.
 *
 * One deliberate difference: torchtext 0.8's `pool()` only sorts a pool when
 * `sort_within_batch` is true (its docstring says it always sorts); here pools
 * are always sorted (`bucket: true`), so train batches are buckets of similar
 * length whatever `sortWithinBatch` says. `bucket: false` restores torchtext's
 * code path. Shuffles use this package's seeded generator, not Python's random.
 *
 * `shard: { rank, worldSize }` (data-parallel training, see docs/distributed.md): each epoch every rank
 * takes its disjoint, equal-sized share of the dataset as `DistributedSampler` does (the same
 * permutation on every rank from `shard.seed + epoch`, padded or cut to a multiple of `worldSize`), then
 * pools, buckets and batches its share as above. Every rank thus has the same number of examples and
 * of batches per epoch, which DistributedDataParallel needs (every rank must take the same steps).
 * `shard.by: 'batches'` instead makes the batches one process with `batchSize * worldSize` would make
 * (same seed, same shuffles) and gives rank r every worldSize-th example of each, from the r-th: the
 * ranks' batches together are exactly that process's, so N ranks of batch B train as one process of
 * batch N x B does (DDP averages the ranks' mean gradients), whatever N.
 */
import type { DeviceLike } from '../tensor';
import { Batch, CollatedField, collate } from './batch';
import type { Dataset } from './dataset';
import type { Field } from './field';
import { RandomGenerator } from './random';
import { shardIndices, shardSize } from '../distributed/sampler';
import { checkBoolean, checkInteger, checkKeys, checkObject, checkOneOf, invalid, optional } from '../validate';

/** This process's share of the data in a data-parallel job (`IteratorOptions.shard`). */
export interface IteratorShard {
  /** This process's rank, in [0, worldSize). */
  rank: number;
  /** Number of processes. */
  worldSize: number;
  /**
   * Seed of the permutation shared by every rank (epoch e uses seed + e); default `options.seed`,
   * else 0. It must be the same on every rank.
   */
  seed?: number;
  /** Drop the examples that do not divide evenly among the ranks instead of repeating a few; default false. */
  dropLast?: boolean;
  /**
   * 'examples' (default): each rank batches its share of the dataset. 'batches': each rank takes its
   * stride of every global batch of `batchSize * worldSize` (needs `options.seed`, the same on every
   * rank; a last global batch smaller than `worldSize` is dropped; `seed` and `dropLast` do not apply).
   */
  by?: 'examples' | 'batches';
}

export interface IteratorOptions<E> {
  batchSize: number;
  /** Where batch tensors are created: 'cpu' (default), 'cuda', 'cuda:0', or a Device. */
  device?: DeviceLike;
  /** Overrides the dataset's sortKey (IMDb: number of tokens). */
  sortKey?: (example: E) => number;
  /** Train iterators shuffle, others sort; default true. */
  train?: boolean;
  /** Default: `train`. */
  shuffle?: boolean;
  /** Sort all examples by sortKey (no shuffling); default: `!train`. */
  sort?: boolean;
  /** Order each batch by decreasing sortKey; default: `sort`. */
  sortWithinBatch?: boolean;
  /** Sort each pool of 100 batches before batching (see above); default true. */
  bucket?: boolean;
  /** Seed of the shuffles; omit for a random one. */
  seed?: number;
  /**
   * Read only this rank's share of the dataset (see above); shuffled iterators reshuffle the whole
   * dataset every epoch before sharding, the others shard it in order.
   */
  shard?: IteratorShard;
}

export interface SplitsOptions<E> extends Omit<IteratorOptions<E>, 'batchSize' | 'train'> {
  batchSize?: number;
  /** One batch size per dataset instead of `batchSize`. */
  batchSizes?: number[];
}

const KNOWN = ['batchSize', 'device', 'sortKey', 'train', 'shuffle', 'sort', 'sortWithinBatch', 'bucket', 'seed', 'shard'] as const;

function checkShard(value: unknown, seed: unknown): Readonly<Required<IteratorShard>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('options.shard', 'an object { rank, worldSize, seed?, dropLast? }', value);
  const s = checkObject('options.shard', value);
  checkKeys('BucketIterator options.shard', s, ['rank', 'worldSize', 'seed', 'dropLast', 'by']);
  const worldSize = checkInteger('options.shard.worldSize', s.worldSize, 1);
  const by = optional(s.by, 'examples' as const, (v) => checkOneOf('options.shard.by', v, ['examples', 'batches'] as const));
  if (by === 'batches' && seed === undefined) throw new TypeError("options.shard.by 'batches' needs options.seed (the same on every rank): every rank makes the same global batches");
  return Object.freeze({
    by,
    worldSize,
    rank: checkInteger('options.shard.rank', s.rank, 0, worldSize - 1),
    seed: optional(s.seed, seed === undefined ? 0 : (seed as number), (v) => checkInteger('options.shard.seed', v, 0, 2 ** 32 - 1)),
    dropLast: optional(s.dropLast, false, (v) => checkBoolean('options.shard.dropLast', v)),
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Stable sort of `items` by a numeric key computed once per item. */
function sortByKey<T>(items: readonly T[], key: (x: T) => number, descending = false): T[] {
  const keyed = items.map((x, i) => ({ x, k: key(x), i }));
  keyed.sort((a, b) => (descending ? b.k - a.k : a.k - b.k) || a.i - b.i);
  return keyed.map((e) => e.x);
}

export class BucketIterator<E extends object = Record<string, unknown>> implements Iterable<Batch> {
  readonly dataset: Dataset<E>;
  readonly batchSize: number;
  readonly device: DeviceLike | undefined;
  readonly train: boolean;
  readonly shuffle: boolean;
  readonly sort: boolean;
  readonly sortWithinBatch: boolean;
  readonly bucket: boolean;
  readonly sortKey: (example: E) => number;
  /** This rank's share of the data, or null for the whole dataset. */
  readonly shard: Readonly<Required<IteratorShard>> | null;
  private readonly rng: RandomGenerator;
  /** By batches: the padded length of each sequential field in the global batch a rank's part came from. */
  private readonly padOf = new WeakMap<E[], Record<string, number>>();
  /** Epochs started so far. */
  epoch = 0;

  constructor(dataset: Dataset<E>, options: IteratorOptions<E>) {
    if (!dataset || !Array.isArray((dataset as Dataset<E>).examples)) throw invalid('dataset', 'a Dataset', dataset);
    const o = checkObject('options', options);
    checkKeys('BucketIterator options', o, KNOWN);
    this.dataset = dataset;
    this.batchSize = checkInteger('options.batchSize', o.batchSize, 1);
    this.device = o.device as DeviceLike | undefined;
    this.train = optional(o.train, true, (v) => checkBoolean('options.train', v));
    this.shuffle = optional(o.shuffle, this.train, (v) => checkBoolean('options.shuffle', v));
    this.sort = optional(o.sort, !this.train, (v) => checkBoolean('options.sort', v));
    this.sortWithinBatch = optional(o.sortWithinBatch, this.sort, (v) => checkBoolean('options.sortWithinBatch', v));
    this.bucket = optional(o.bucket, true, (v) => checkBoolean('options.bucket', v));
    const key = o.sortKey ?? dataset.sortKey;
    if (typeof key !== 'function') {
      throw invalid('options.sortKey', 'a function (example) => number (the dataset has no sortKey)', key);
    }
    this.sortKey = key as (example: E) => number;
    this.rng = new RandomGenerator(o.seed as number | undefined);
    this.shard = o.shard === undefined ? null : checkShard(o.shard, o.seed);
  }

  /**
   * One iterator per dataset; the first is the train iterator (shuffled,
   * bucketed), the others are sorted. With `seed`, iterator i uses `seed + i`.
   * `shard` applies to every iterator: valid/test iterators then read their rank's share in order (to
   * evaluate a whole split on every rank, make its iterator without `shard`).
   */
  static splits<E extends object>(datasets: Array<Dataset<E>>, options: SplitsOptions<E>): Array<BucketIterator<E>> {
    if (!Array.isArray(datasets) || datasets.length === 0) throw invalid('datasets', 'a non-empty array of Datasets', datasets);
    const o = checkObject('options', options);
    checkKeys('BucketIterator.splits options', o, [...KNOWN.filter((k) => k !== 'train'), 'batchSizes']);
    const { batchSizes, batchSize, seed, ...rest } = o as SplitsOptions<E>;
    let sizes: number[];
    if (batchSizes !== undefined) {
      if (!Array.isArray(batchSizes) || batchSizes.length !== datasets.length) {
        throw invalid('options.batchSizes', `an array of ${datasets.length} batch sizes`, batchSizes);
      }
      sizes = batchSizes;
    } else {
      sizes = datasets.map(() => checkInteger('options.batchSize', batchSize, 1));
    }
    if (seed !== undefined) checkInteger('options.seed', seed, 0, 2 ** 32 - 1);
    return datasets.map((ds, i) => new BucketIterator<E>(ds, {
      ...rest,
      batchSize: sizes[i],
      train: i === 0,
      seed: seed === undefined ? undefined : (seed + i) % 2 ** 32,
    }));
  }

  /** Examples per epoch: the dataset's, or this rank's share of it (by examples: the same on every rank). */
  get examplesPerEpoch(): number {
    const n = this.dataset.length;
    if (!this.shard) return n;
    const { worldSize, rank, dropLast, by } = this.shard;
    if (by === 'examples') return shardSize(n, worldSize, dropLast);
    const global = this.batchSize * worldSize;
    const rest = n % global;
    return Math.floor(n / global) * this.batchSize + (rest >= worldSize ? Math.ceil((rest - rank) / worldSize) : 0);
  }

  /** Number of batches per epoch (`len(iterator)`); with `shard`, the same on every rank. */
  get length(): number {
    if (this.shard?.by === 'batches') {
      const global = this.batchSize * this.shard.worldSize;
      const n = this.dataset.length;
      return Math.floor(n / global) + (n % global >= this.shard.worldSize ? 1 : 0);
    }
    return Math.ceil(this.examplesPerEpoch / this.batchSize);
  }

  /** Starts an epoch and returns its minibatches of examples (no tensors). */
  nextEpochExamples(): E[][] {
    this.epoch++;
    const all = this.dataset.examples;
    let examples: readonly E[] = all;
    const byExamples = this.shard !== null && this.shard.by === 'examples';
    // By batches, every rank makes the global batches one process would, then keeps its stride of each.
    const size = this.shard?.by === 'batches' ? this.batchSize * this.shard.worldSize : this.batchSize;
    if (this.shard && byExamples) {
      // Every rank draws the same permutation (shared seed + epoch) and keeps its stride of it: a
      // shuffled iterator's share is already in random order.
      const { rank, worldSize, seed, dropLast } = this.shard;
      const indices = shardIndices(all.length, { numReplicas: worldSize, rank, shuffle: this.shuffle, seed, dropLast, epoch: this.epoch - 1 });
      examples = indices.map((i) => all[i]);
    }
    let data: E[];
    if (this.sort) data = sortByKey(examples, this.sortKey);
    else if (this.shuffle && !byExamples) data = this.rng.permutation(examples.length).map((i) => examples[i]);
    else data = examples.slice();

    let batches: E[][];
    if (this.sort) {
      batches = chunks(data, size);
    } else {
      batches = [];
      for (const pool of chunks(data, size * 100)) {
        const inPool = chunks(this.bucket || this.sortWithinBatch ? sortByKey(pool, this.sortKey) : pool, size);
        if (this.shuffle) this.rng.shuffle(inPool);
        batches.push(...inPool);
      }
    }
    if (this.sortWithinBatch) {
      batches = batches.map((b) => (this.sort ? b.reverse() : sortByKey(b, this.sortKey, true)));
    }
    if (this.shard?.by === 'batches') {
      const { rank, worldSize } = this.shard;
      // A subsequence of a batch sorted longest first is sorted too. A last batch too small to give
      // every rank an example is dropped, so that every rank takes the same number of steps.
      // Each part pads to its whole batch's length, so that models that see the padding (the seed RNN,
      // FastText's mean, the CNN) compute what one process would.
      const sequential = Object.entries(this.dataset.fields).filter((e): e is [string, Field] => e[1] !== null && (e[1] as Field).sequential);
      batches = batches.filter((b) => b.length >= worldSize).map((b) => {
        const part = b.filter((_, i) => i % worldSize === rank);
        this.padOf.set(part, Object.fromEntries(sequential.map(([name, f]) => [name, Math.max(...b.map((e) => f.exampleLength(e, name)))])));
        return part;
      });
    }
    return batches;
  }

  /** One epoch of collated numeric batches (ids, lengths, labels) without tensors. */
  *numericBatches(): Generator<Record<string, CollatedField>> {
    for (const b of this.nextEpochExamples()) yield collate(b, this.dataset.fields, this.padOf.get(b));
  }

  /** One epoch of Batches (tensors on `device`). Dispose each batch when done with it. */
  *[Symbol.iterator](): Iterator<Batch> {
    for (const b of this.nextEpochExamples()) yield Batch.fromExamples(b, this.dataset.fields, this.device, this.padOf.get(b));
  }
}
