/**
 * `Dataset`: examples plus the fields that made them, and torchtext's
 * `split` (`rationed_split`), deterministic for a given seed.
 */
import type { Field } from './field';
import { RandomGenerator } from './random';
import { checkKeys, checkObject, invalid, optional, checkNonEmptyString, outOfRange } from '../validate';

export type Fields = Record<string, Field | null>;

export interface DatasetOptions<E> {
  /** Key used by iterators to sort or bucket examples (IMDb: number of tokens). */
  sortKey?: (example: E) => number;
}

export interface SplitOptions {
  /**
   * A fraction for the first split (0.7 -> train 70 %, valid 30 %), or relative
   * sizes `[train, test]` / `[train, test, valid]` as torchtext takes them.
   * Default 0.7.
   */
  ratio?: number | number[];
  /** Seed of the shuffle; the same seed gives the same split. Omit for a random one. */
  seed?: number;
  /** Keep each label's share equal in every split. */
  stratified?: boolean;
  /** Field to stratify on; default 'label'. */
  strataField?: string;
}

/** Python's round(): half to even. */
function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchtext `check_split_ratio` -> [train, test, valid]. */
function splitRatio(ratio: number | number[]): [number, number, number] {
  if (typeof ratio === 'number') {
    if (!(ratio > 0 && ratio < 1)) throw invalid('options.ratio', 'a number strictly between 0 and 1', ratio);
    return [ratio, 1 - ratio, 0];
  }
  if (!Array.isArray(ratio) || (ratio.length !== 2 && ratio.length !== 3) ||
    ratio.some((r) => typeof r !== 'number' || !(r >= 0) || !Number.isFinite(r))) {
    throw invalid('options.ratio', 'a number in (0, 1) or an array of 2 or 3 non-negative numbers', ratio);
  }
  const sum = ratio.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw invalid('options.ratio', 'relative sizes with a positive sum', ratio);
  const r = sum === 1 ? ratio : ratio.map((x) => x / sum);
  return [r[0], r[1], r.length === 3 ? r[2] : 0];
}

function rationedSplit<E>(examples: readonly E[], ratios: [number, number, number], rng: RandomGenerator): [E[], E[], E[]] {
  const n = examples.length;
  const perm = rng.permutation(n);
  const trainLen = pyRound(ratios[0] * n);
  const testLen = ratios[2] ? pyRound(ratios[1] * n) : n - trainLen;
  const pick = (from: number, to: number) => perm.slice(from, to).map((i) => examples[i]);
  return [pick(0, trainLen), pick(trainLen, trainLen + testLen), pick(trainLen + testLen, n)];
}

export class Dataset<E extends object = Record<string, unknown>> implements Iterable<E> {
  readonly examples: E[];
  readonly fields: Fields;
  sortKey: ((example: E) => number) | undefined;

  constructor(examples: E[], fields: Fields, options?: DatasetOptions<E>) {
    if (!Array.isArray(examples)) throw invalid('examples', 'an array of examples', examples);
    if (!fields || typeof fields !== 'object') throw invalid('fields', 'an object mapping names to Fields', fields);
    const o = checkObject('options', options);
    checkKeys('Dataset options', o, ['sortKey']);
    this.examples = examples;
    this.fields = fields;
    this.sortKey = optional(o.sortKey, undefined, (v) => {
      if (typeof v !== 'function') throw invalid('options.sortKey', 'a function (example) => number', v);
      return v as (example: E) => number;
    });
  }

  /** Number of examples (`len(dataset)`). */
  get length(): number {
    return this.examples.length;
  }

  at(index: number): E {
    const e = this.examples[index < 0 ? this.examples.length + index : index];
    if (e === undefined) throw outOfRange('index', `an integer in [-${this.length}, ${this.length})`, index);
    return e;
  }

  [Symbol.iterator](): Iterator<E> {
    return this.examples[Symbol.iterator]();
  }

  /**
   * torchtext's `Dataset.split`: shuffles with `seed` and cuts. Returns
   * `[train, valid]` for two parts, `[train, valid, test]` for three (empty
   * parts are left out, as in torchtext). The shuffle uses this package's
   * own generator, not Python's `random`, so the reviews differ from torchtext's.
   */
  split(options?: SplitOptions | number): Array<Dataset<E>> {
    const o = typeof options === 'number' ? { ratio: options } : checkObject('options', options);
    checkKeys('split options', o, ['ratio', 'seed', 'stratified', 'strataField']);
    const ratios = splitRatio((o.ratio ?? 0.7) as number | number[]);
    const rng = new RandomGenerator(o.seed as number | undefined);
    const stratified = optional(o.stratified, false, (v) => {
      if (typeof v !== 'boolean') throw invalid('options.stratified', 'a boolean', v);
      return v;
    });
    let parts: [E[], E[], E[]];
    if (!stratified) {
      parts = rationedSplit(this.examples, ratios, rng);
    } else {
      const field = optional(o.strataField, 'label', (v) => checkNonEmptyString('options.strataField', v));
      const strata = new Map<string, E[]>();
      for (const ex of this.examples) {
        const key = String((ex as Record<string, unknown>)[field]);
        const list = strata.get(key) ?? [];
        list.push(ex);
        strata.set(key, list);
      }
      parts = [[], [], []];
      for (const key of [...strata.keys()].sort()) {
        const [a, b, c] = rationedSplit(strata.get(key) as E[], ratios, rng);
        parts[0].push(...a);
        parts[1].push(...b);
        parts[2].push(...c);
      }
    }
    const [train, test, valid] = parts;
    return [train, valid, test]
      .filter((d) => d.length > 0)
      .map((d) => new Dataset<E>(d, this.fields, { sortKey: this.sortKey }));
  }
}
