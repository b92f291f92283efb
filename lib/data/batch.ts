/**
 * `Batch`: one minibatch as tensors on a device, like torchtext's Batch.
 * `batch.text` is an int64 tensor `[sent len, batch size]` (or batch-first),
 * `batch.label` the label tensor in the label field's dtype; with
 * `includeLengths` the text field's lengths are in `batch.textLengths`
 * (torchtext's `text, text_lengths = batch.text`). A Batch owns its tensors:
 * call `dispose()` (or use `using`) when done.
 *
 * The numeric work (padding, vocabulary lookups) is done by the pure
 * `collate`, which needs no native code; only `Batch.fromExamples` touches
 * tensors, through lib/factories.ts, loaded on first use.
 */
import type * as Factories from '../factories';
import type { DeviceLike, Tensor } from '../tensor';
import type { Field, PaddedIds } from './field';
import type { Fields } from './dataset';
import { outOfRange } from '../validate';
import { DataError } from './errors';

let factories: typeof Factories | undefined;
function tensors(): typeof Factories {
  // Loaded lazily so the text pipeline (tokenize, vocab, split) works without the addon.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  factories ??= require('../factories') as typeof Factories;
  return factories;
}

/** One field of a collated minibatch, before it becomes a tensor. */
export type CollatedField =
  | ({ kind: 'sequence' } & PaddedIds)
  | { kind: 'values'; values: Float64Array };

/**
 * Pure: pads and numericalizes every field of `examples`. `minLengths[name]` pads a sequential field to
 * at least that length (a rank's part of a larger batch, padded as the whole batch).
 */
export function collate(examples: ReadonlyArray<object>, fields: Fields, minLengths?: Readonly<Record<string, number>>): Record<string, CollatedField> {
  const out: Record<string, CollatedField> = {};
  for (const [name, field] of Object.entries(fields)) {
    if (field === null) continue;
    if (field.sequential) {
      out[name] = { kind: 'sequence', ...field.padExamples(examples, name, minLengths?.[name] ?? 0) };
    } else {
      out[name] = { kind: 'values', values: field.valueIds(examples.map((ex) => (ex as Record<string, unknown>)[name])) };
    }
  }
  return out;
}

function toTensor(field: Field, c: CollatedField, device: DeviceLike | undefined): { data: Tensor; lengths?: Tensor } {
  const { tensor } = tensors();
  if (c.kind === 'sequence') {
    const data = tensor(c.ids, { shape: c.shape, dtype: field.dtype, device });
    if (!field.includeLengths) return { data };
    try {
      // torchtext: lengths = torch.tensor(lengths, dtype=self.dtype, device=device)
      return { data, lengths: tensor(c.lengths, { shape: [c.lengths.length], dtype: field.dtype, device }) };
    } catch (e) {
      data.dispose();
      throw e;
    }
  }
  const floating = field.dtype === 'float32' || field.dtype === 'float64';
  const values = floating ? Float32Array.from(c.values) : Int32Array.from(c.values);
  return { data: tensor(values, { shape: [values.length], dtype: field.dtype, device }) };
}

export class Batch {
  readonly batchSize: number;
  /** The examples of this batch, in batch order. */
  readonly examples: ReadonlyArray<object>;
  /** Numeric form of every field (ids, shape, lengths / label values). */
  readonly collated: Record<string, CollatedField>;
  private readonly tensorsByField = new Map<string, Tensor>();
  private readonly lengthsByField = new Map<string, Tensor>();
  private disposed = false;

  /** @internal Use `Batch.fromExamples` or an iterator. */
  constructor(examples: ReadonlyArray<object>, collated: Record<string, CollatedField>) {
    this.examples = examples;
    this.batchSize = examples.length;
    this.collated = collated;
  }

  /** Collates `examples` and creates their tensors on `device` (default cpu). */
  static fromExamples(examples: ReadonlyArray<object>, fields: Fields, device?: DeviceLike, minLengths?: Readonly<Record<string, number>>): Batch {
    const batch = new Batch(examples, collate(examples, fields, minLengths));
    try {
      for (const [name, c] of Object.entries(batch.collated)) {
        const t = toTensor(fields[name] as Field, c, device);
        batch.tensorsByField.set(name, t.data);
        if (t.lengths) batch.lengthsByField.set(name, t.lengths);
      }
    } catch (e) {
      batch.dispose();
      throw e;
    }
    return batch;
  }

  private check(): void {
    if (this.disposed) throw new DataError('DISPOSED', 'Batch has been disposed');
  }

  /** Tensor of the field `name`. */
  get(name: string): Tensor {
    this.check();
    const t = this.tensorsByField.get(name);
    if (t === undefined) throw outOfRange('name', `one of ${[...this.tensorsByField.keys()].join(', ')}`, name);
    return t;
  }

  /** Lengths tensor of the sequential field `name` (needs `includeLengths`). */
  lengthsOf(name: string): Tensor {
    this.check();
    const t = this.lengthsByField.get(name);
    if (t === undefined) throw new RangeError(`lengthsOf: field ${JSON.stringify(name)} has no lengths; create its Field with includeLengths: true`);
    return t;
  }

  /** Whether the field `name` (default 'text') carries lengths (its Field has includeLengths). */
  hasLengths(name = 'text'): boolean {
    this.check();
    return this.lengthsByField.has(name);
  }

  /** `batch.text` of the tutorial. */
  get text(): Tensor {
    return this.get('text');
  }

  /** `text_lengths` of the tutorial's `text, text_lengths = batch.text`. */
  get textLengths(): Tensor {
    return this.lengthsOf('text');
  }

  /** `batch.label` of the tutorial. */
  get label(): Tensor {
    return this.get('label');
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the batch's tensors. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.tensorsByField.values()) t.dispose();
    for (const t of this.lengthsByField.values()) t.dispose();
    this.tensorsByField.clear();
    this.lengthsByField.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
