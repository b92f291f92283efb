/**
 * A small seeded pseudo-random generator (mulberry32) for splits and shuffles.
 *
 * It is NOT Python's `random` (a Mersenne Twister): the same seed gives a
 * different permutation here than in torchtext, so a split made with seed 1234
 * holds different reviews than the tutorial's. It is deterministic across runs,
 * platforms and Node versions, which is what the pipeline needs.
 */
import { randomInt } from 'node:crypto';
import { checkInteger } from '../validate';

export class RandomGenerator {
  private state: number;

  constructor(seed?: number) {
    this.state = seed === undefined ? randomInt(0, 2 ** 32 - 1) : checkInteger('seed', seed, 0, 2 ** 32 - 1) >>> 0;
  }

  /** Next float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** Snapshot of the internal state, to replay an epoch. */
  get stateValue(): number {
    return this.state >>> 0;
  }
}
