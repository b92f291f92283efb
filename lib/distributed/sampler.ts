/**
 * `DistributedSampler`: which examples each rank of a data-parallel job reads, as PyTorch's
 * `torch.utils.data.DistributedSampler`:
 * - every rank draws the same permutation of 0..n-1 from `seed + epoch` (or keeps 0..n-1 without
 *   `shuffle`);
 * - the indices are padded by repeating them from the start up to a multiple of `numReplicas`
 *   (or, with `dropLast`, the tail that does not divide evenly is dropped);
 * - rank r takes `indices[r::numReplicas]`.
 * So every rank gets the same number of indices, and the shards are disjoint except for the padding
 * (at most numReplicas - 1 repeated indices). Call `setEpoch(e)` before each epoch to reshuffle.
 *
 * The permutation comes from this package's seeded generator (lib/data/random.ts), not torch.randperm:
 * the same seed gives every rank the same order here, but a different order than PyTorch's.
 */
import { RandomGenerator } from '../data/random';
import { checkBoolean, checkInteger, checkKeys, checkObject, invalid, optional } from '../validate';

export interface DistributedSamplerOptions {
  /** Number of ranks; default: the WORLD_SIZE environment variable (set by `torch-sentiment launch`). */
  numReplicas?: number;
  /** This process's rank in [0, numReplicas); default: the RANK environment variable. */
  rank?: number;
  /** Draw a new permutation each epoch; default true. */
  shuffle?: boolean;
  /** Seed shared by every rank; epoch e uses `seed + e`. Default 0, as PyTorch's. */
  seed?: number;
  /** Drop the tail that does not divide evenly instead of padding; default false. */
  dropLast?: boolean;
}

/** Everything `shardIndices` needs, all given. */
export interface ShardSpec {
  numReplicas: number;
  rank: number;
  shuffle: boolean;
  seed: number;
  dropLast: boolean;
  epoch: number;
}

const KNOWN = ['numReplicas', 'rank', 'shuffle', 'seed', 'dropLast'] as const;

/** Indices per rank for `length` examples: PyTorch's `num_samples`. */
export function shardSize(length: number, numReplicas: number, dropLast: boolean): number {
  // PyTorch: ceil((n - r) / r) when dropping an uneven tail, which is floor(n / r); else ceil(n / r).
  return dropLast ? Math.floor(length / numReplicas) : Math.ceil(length / numReplicas);
}

/** The indices of rank `spec.rank` for one epoch (no argument checks: see DistributedSampler). */
export function shardIndices(length: number, spec: ShardSpec): number[] {
  const { numReplicas, rank, shuffle, seed, dropLast, epoch } = spec;
  const indices = shuffle ? new RandomGenerator((seed + epoch) % 2 ** 32).permutation(length) : Array.from({ length }, (_, i) => i);
  const total = shardSize(length, numReplicas, dropLast) * numReplicas;
  // Padding repeats the indices from the start, as many times as needed (n < numReplicas too).
  for (let i = length; i < total; i++) indices.push(indices[(i - length) % length]);
  const out: number[] = [];
  for (let i = rank; i < total; i += numReplicas) out.push(indices[i]);
  return out;
}

function fromEnv(option: string, variable: string, value: unknown, min: number, max?: number): number {
  if (value !== undefined) return checkInteger(`options.${option}`, value, min, max);
  const text = process.env[variable];
  if (text === undefined || text === '') {
    throw invalid(`options.${option}`, `an integer (or the ${variable} environment variable, which torch-sentiment launch sets)`, value);
  }
  const n = Number(text);
  if (!Number.isInteger(n)) throw invalid(`the ${variable} environment variable (default of options.${option})`, 'an integer', text);
  return checkInteger(`the ${variable} environment variable (default of options.${option})`, n, min, max);
}

/** The largest seed RandomGenerator takes (seed + epoch wraps around it). */
const SEED_MAX = 2 ** 32 - 1;

export class DistributedSampler implements Iterable<number> {
  /** Examples in the whole dataset. */
  readonly datasetLength: number;
  readonly numReplicas: number;
  readonly rank: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Indices this rank gets per epoch (PyTorch's `num_samples`, `len(sampler)`). */
  readonly numSamples: number;
  /** Indices over all ranks, padding included (`total_size`). */
  readonly totalSize: number;
  private epochValue = 0;

  constructor(dataset: number | { readonly length: number }, options?: DistributedSamplerOptions) {
    const length = typeof dataset === 'number' ? dataset
      : typeof dataset === 'object' && dataset !== null ? (dataset as { length?: unknown }).length : undefined;
    if (typeof length !== 'number') throw invalid('dataset', 'a length or an object with a length (a Dataset, an array)', dataset);
    this.datasetLength = checkInteger(typeof dataset === 'number' ? 'dataset' : 'dataset.length', length, 0);
    const o = checkObject('options', options);
    checkKeys('DistributedSampler options', o, KNOWN);
    this.numReplicas = fromEnv('numReplicas', 'WORLD_SIZE', o.numReplicas, 1);
    this.rank = fromEnv('rank', 'RANK', o.rank, 0, this.numReplicas - 1);
    this.shuffle = optional(o.shuffle, true, (v) => checkBoolean('options.shuffle', v));
    this.seed = optional(o.seed, 0, (v) => checkInteger('options.seed', v, 0, SEED_MAX));
    this.dropLast = optional(o.dropLast, false, (v) => checkBoolean('options.dropLast', v));
    this.numSamples = shardSize(this.datasetLength, this.numReplicas, this.dropLast);
    this.totalSize = this.numSamples * this.numReplicas;
  }

  /** The epoch whose permutation the next iteration draws. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Sets the epoch (`seed + epoch` seeds the permutation); call it with the same value on every rank. */
  setEpoch(epoch: number): void {
    this.epochValue = checkInteger('epoch', epoch, 0);
  }

  /** `len(sampler)`: indices per epoch on this rank. */
  get length(): number {
    return this.numSamples;
  }

  /** This rank's indices for the current epoch. */
  indices(): number[] {
    return shardIndices(this.datasetLength, {
      numReplicas: this.numReplicas, rank: this.rank, shuffle: this.shuffle, seed: this.seed, dropLast: this.dropLast, epoch: this.epochValue,
    });
  }

  [Symbol.iterator](): Iterator<number> {
    return this.indices()[Symbol.iterator]();
  }
}
