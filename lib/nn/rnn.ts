// Recurrent layers (RNN, LSTM, GRU) and packed sequences, with PyTorch's parameter names, shapes,
// initialisation and return values. The recurrence itself is one libtorch call per forward.
import { TorchError } from '../errors';
import { native } from '../native';
import { Tensor, wrap } from '../tensor';
import { empty, tensor, zeros } from '../factories';
import { tidy } from '../scope';
import { sealDisposed } from '../lifecycle';
import { checkBoolean, checkInteger, checkNumber, checkObject, checkKeys, checkOneOf, checkTensor, invalid } from '../validate';
import { uniform_ } from './init';
import { Module, parameter } from './module';
import type { DeviceLike } from '../device';

// Set while this module builds a PackedSequence from parts it has just made itself (packPaddedSequence,
// a recurrent layer's output): those skip the checks that cost a read of the batch sizes and indices.
let trusted = false;
function makePacked(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null, unsortedIndices: Tensor | null): PackedSequence {
  trusted = true;
  try {
    return new PackedSequence(data, batchSizes, sortedIndices, unsortedIndices);
  } finally {
    trusted = false;
  }
}

/**
 * A batch of variable-length sequences packed by packPaddedSequence, as torch's PackedSequence: `data`
 * `[sum(batchSizes), *]`, `batchSizes` (int64 on the CPU: how many sequences are still running at each
 * step, positive and non-increasing), and the permutation that sorted the batch by length with its
 * inverse (both null when the batch was already sorted). The constructor checks all of that, so a
 * malformed sequence is a clear error here instead of memory corruption in libtorch's kernels; given
 * sortedIndices alone, unsortedIndices is computed (as PyTorch does). The sequence owns its tensors:
 * dispose() frees them, and every member but dispose and isDisposed throws afterwards.
 */
export class PackedSequence {
  private readonly _data: Tensor;
  private readonly _batchSizes: Tensor;
  private readonly _sortedIndices: Tensor | null;
  private readonly _unsortedIndices: Tensor | null;
  private _disposed = false;

  constructor(data: Tensor, batchSizes: Tensor, sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null) {
    if (!trusted) unsortedIndices = checkPacked(data, batchSizes, sortedIndices, unsortedIndices);
    this._data = data;
    this._batchSizes = batchSizes;
    this._sortedIndices = sortedIndices;
    this._unsortedIndices = unsortedIndices;
  }
  get data(): Tensor {
    return this._data;
  }
  get batchSizes(): Tensor {
    return this._batchSizes;
  }
  get sortedIndices(): Tensor | null {
    return this._sortedIndices;
  }
  get unsortedIndices(): Tensor | null {
    return this._unsortedIndices;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }
  dispose(): void {
    if (this._disposed) return;
    this._data.dispose();
    this._batchSizes.dispose();
    this._sortedIndices?.dispose();
    this._unsortedIndices?.dispose();
    this._disposed = true;
    sealDisposed(this, 'PackedSequence');
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** The checks of `new PackedSequence(...)`; returns unsortedIndices (computed when only sortedIndices is given). */
function checkPacked(data: unknown, batchSizes: unknown, sortedIndices: unknown, unsortedIndices: unknown): Tensor | null {
  const d = checkTensor('data', data);
  const b = checkTensor('batchSizes', batchSizes);
  if (d.ndim < 1) throw invalid('data', 'a tensor of at least 1 dimension ([sum(batchSizes), *])', d);
  if (b.dtype !== 'int64' || b.device !== 'cpu' || b.ndim !== 1 || b.shape[0] === 0) {
    throw new TypeError(`Expected a non-empty 1-D int64 tensor on the CPU for batchSizes but received ${b.ndim}-D ${b.dtype} of shape [${b.shape.join(', ')}] on ${b.device}`);
  }
  const sizes = b.toTypedArray() as BigInt64Array;
  let sum = 0n;
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i] <= 0n || (i > 0 && sizes[i] > sizes[i - 1])) {
      throw new RangeError(`Expected batchSizes to be positive and non-increasing but batchSizes[${i}] is ${sizes[i]}${i > 0 ? ` after ${sizes[i - 1]}` : ''}`);
    }
    sum += sizes[i];
  }
  if (sum !== BigInt(d.shape[0])) {
    throw new RangeError(`Expected the batch sizes to add up to data's rows (${d.shape[0]}) but they add up to ${sum}`);
  }
  const batch = Number(sizes[0]);
  if (sortedIndices === null || sortedIndices === undefined) {
    if (unsortedIndices !== null && unsortedIndices !== undefined) throw invalid('sortedIndices', 'a Tensor when unsortedIndices is given', sortedIndices);
    return null;
  }
  const sorted = permutation('sortedIndices', sortedIndices, batch);
  if (unsortedIndices === null || unsortedIndices === undefined) {
    // PyTorch's invert_permutation: the inverse, on sortedIndices' device.
    const inverse = new BigInt64Array(batch);
    sorted.forEach((v, i) => (inverse[Number(v)] = BigInt(i)));
    return tensor(inverse, { device: (sortedIndices as Tensor).device });
  }
  const unsorted = permutation('unsortedIndices', unsortedIndices, batch);
  for (let i = 0; i < batch; i++) {
    if (unsorted[Number(sorted[i])] !== BigInt(i)) {
      throw new RangeError(`Expected unsortedIndices to be the inverse of sortedIndices but unsortedIndices[sortedIndices[${i}]] is ${unsorted[Number(sorted[i])]}, not ${i}`);
    }
  }
  return unsortedIndices as Tensor;
}

/** A 1-D int64 tensor holding each of 0..n-1 once; its values. */
function permutation(name: string, value: unknown, n: number): BigInt64Array {
  const t = checkTensor(name, value);
  if (t.dtype !== 'int64' || t.ndim !== 1 || t.shape[0] !== n) {
    throw new TypeError(`Expected a 1-D int64 tensor of ${n} elements (batchSizes[0]) for ${name} but received ${t.ndim}-D ${t.dtype} of shape [${t.shape.join(', ')}]`);
  }
  const values = t.toTypedArray() as BigInt64Array;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < 0n || v >= BigInt(n) || seen[Number(v)]) {
      throw new RangeError(`Expected ${name} to be a permutation of 0..${n - 1} but ${name}[${i}] is ${v}${v >= 0n && v < BigInt(n) ? ', a repeat' : ''}`);
    }
    seen[Number(v)] = 1;
  }
  return values;
}

function lengthsTensor(lengths: Tensor | number[] | Int32Array): Tensor {
  if (lengths instanceof Tensor) return lengths.to({ device: 'cpu', dtype: 'int64' });
  if (Array.isArray(lengths) || lengths instanceof Int32Array) {
    Array.from(lengths).forEach((l, i) => checkInteger(`lengths[${i}]`, l, 1));
    return tensor(Int32Array.from(lengths), { dtype: 'int64' });
  }
  throw invalid('lengths', 'a Tensor, an Int32Array or an array of integers', lengths);
}

/**
 * Packs a padded batch `[T, B, *]` (or `[B, T, *]` with batchFirst) of sequences with the given
 * lengths. With enforceSorted (the default) lengths must be in decreasing order.
 */
export function packPaddedSequence(
  input: Tensor,
  lengths: Tensor | number[] | Int32Array,
  options: { batchFirst?: boolean; enforceSorted?: boolean } = {},
): PackedSequence {
  checkTensor('input', input);
  const o = checkObject('options', options);
  checkKeys('packPaddedSequence', o, ['batchFirst', 'enforceSorted']);
  const batchFirst = o.batchFirst === undefined ? false : checkBoolean('batchFirst', o.batchFirst);
  const enforceSorted = o.enforceSorted === undefined ? true : checkBoolean('enforceSorted', o.enforceSorted);
  return tidy(() => {
    let lens = lengthsTensor(lengths);
    const batchDim = batchFirst ? 0 : 1;
    if (lens.ndim !== 1 || input.ndim < 2 || lens.shape[0] !== input.shape[batchDim]) {
      throw new TorchError(`Expected lengths of size ${input.ndim < 2 ? '?' : input.shape[batchDim]} (the batch size) but got shape [${lens.shape.join(', ')}]`);
    }
    let sorted: Tensor | null = null;
    let unsorted: Tensor | null = null;
    let x = input;
    if (!enforceSorted) {
      const s = lens.sort(-1, true);
      lens = s.values;
      sorted = s.indices.to(input.device);
      unsorted = sorted.sort(-1, false).indices; // the inverse permutation
      x = input.indexSelect(batchDim, sorted);
    }
    const [data, batchSizes] = native.packPadded(x.handle, lens.handle, batchFirst);
    return makePacked(wrap(data), wrap(batchSizes), sorted, unsorted);
  });
}

/** Undoes packPaddedSequence: returns `[padded, lengths]` in the original batch order. */
export function padPackedSequence(
  sequence: PackedSequence,
  options: { batchFirst?: boolean; paddingValue?: number; totalLength?: number } = {},
): [Tensor, Tensor] {
  if (!(sequence instanceof PackedSequence)) throw invalid('sequence', 'a PackedSequence', sequence);
  const o = checkObject('options', options);
  checkKeys('padPackedSequence', o, ['batchFirst', 'paddingValue', 'totalLength']);
  const batchFirst = o.batchFirst === undefined ? false : checkBoolean('batchFirst', o.batchFirst);
  const paddingValue = o.paddingValue === undefined ? 0 : checkNumber('paddingValue', o.paddingValue, { finite: false });
  const maxLen = sequence.batchSizes.shape[0];
  let total = maxLen;
  if (o.totalLength !== undefined) {
    total = checkInteger('totalLength', o.totalLength);
    if (total < maxLen) throw new TorchError(`Expected total_length to be at least the length of the longest sequence (${maxLen}), but got total_length=${total}`);
  }
  return tidy(() => {
    const [p, l] = native.padPacked(sequence.data.handle, sequence.batchSizes.handle, batchFirst, paddingValue, total);
    let padded = wrap(p);
    let lengths = wrap(l);
    if (sequence.unsortedIndices) {
      padded = padded.indexSelect(batchFirst ? 0 : 1, sequence.unsortedIndices);
      lengths = lengths.indexSelect(0, sequence.unsortedIndices.cpu());
    }
    return [padded, lengths] as [Tensor, Tensor];
  });
}

export interface RNNOptions {
  numLayers?: number;
  /** RNN only: 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
  bias?: boolean;
  /** Input and output as [batch, seq, feature]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
}

type Mode = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru';
const GATES: Record<Mode, number> = { rnn_tanh: 1, rnn_relu: 1, lstm: 4, gru: 3 };

/** The shared machinery of RNN, LSTM and GRU (torch.nn.RNNBase). */
export abstract class RNNBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  protected readonly mode: Mode;
  private readonly flatNames: string[] = [];

  constructor(mode: Mode, inputSize: number, hiddenSize: number, options: RNNOptions) {
    super();
    const o = checkObject('options', options);
    checkKeys(this.constructor.name, o, mode.startsWith('rnn') ? ['numLayers', 'nonlinearity', 'bias', 'batchFirst', 'dropout', 'bidirectional'] : ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional']);
    this.mode = mode;
    this.inputSize = checkInteger('inputSize', inputSize, 1);
    this.hiddenSize = checkInteger('hiddenSize', hiddenSize, 1);
    this.numLayers = o.numLayers === undefined ? 1 : checkInteger('numLayers', o.numLayers, 1);
    this.bias = o.bias === undefined ? true : checkBoolean('bias', o.bias);
    this.batchFirst = o.batchFirst === undefined ? false : checkBoolean('batchFirst', o.batchFirst);
    this.dropout = o.dropout === undefined ? 0 : checkNumber('dropout', o.dropout, { min: 0, max: 1 });
    this.bidirectional = o.bidirectional === undefined ? false : checkBoolean('bidirectional', o.bidirectional);
    const gate = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const self = this as unknown as Record<string, Tensor>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const suffix = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const layerInput = layer === 0 ? inputSize : hiddenSize * dirs;
        const shapes: Array<[string, number[]]> = [
          [`weight_ih${suffix}`, [gate, layerInput]],
          [`weight_hh${suffix}`, [gate, hiddenSize]],
        ];
        if (this.bias) shapes.push([`bias_ih${suffix}`, [gate]], [`bias_hh${suffix}`, [gate]]);
        for (const [name, shape] of shapes) {
          self[name] = parameter(empty(shape));
          this.flatNames.push(name);
        }
      }
    }
    const stdv = 1 / Math.sqrt(hiddenSize);
    for (const name of this.flatNames) uniform_(self[name], -stdv, stdv);
  }

  /** Moves the weights like Module.to, then, on CUDA, lays them out in one buffer for cuDNN. */
  override to(device: DeviceLike): this {
    super.to(device);
    this.flattenParameters();
    return this;
  }

  /** PyTorch's flatten_parameters(): one contiguous cuDNN weight buffer (no-op off CUDA). */
  flattenParameters(): void {
    const weights = this.flatWeights();
    if (!weights[0].device.startsWith('cuda')) return;
    native.flattenRnnWeights(weights.map((w) => w.handle), this.bias ? 4 : 2, this.inputSize, this.mode, this.hiddenSize, this.numLayers, this.batchFirst, this.bidirectional);
  }

  /** The weights in the order libtorch's recurrent kernels take them (PyTorch's _flat_weights). */
  protected flatWeights(): Tensor[] {
    const self = this as unknown as Record<string, Tensor>;
    return this.flatNames.map((n) => self[n]);
  }

  protected run(input: Tensor | PackedSequence, hx: Tensor[] | undefined): { output: Tensor | PackedSequence; hidden: Tensor[] } {
    this.checkAlive();
    const packed = input instanceof PackedSequence;
    if (!packed) checkTensor('input', input);
    const dirs = this.bidirectional ? 2 : 1;
    return tidy(() => {
      const data = packed ? input.data : input;
      const expectedDim = packed ? 2 : 3;
      if (data.ndim !== expectedDim) {
        throw new TorchError(`${this.constructor.name}: Expected input to be ${expectedDim}-D (${packed ? 'packed data' : this.batchFirst ? '[batch, seq, feature]' : '[seq, batch, feature]'}), got ${data.ndim}-D input of shape [${data.shape.join(', ')}]`);
      }
      const features = data.shape[data.ndim - 1];
      if (features !== this.inputSize) {
        throw new TorchError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${features}`);
      }
      const batch = packed ? Number((input.batchSizes.toTypedArray() as BigInt64Array)[0] ?? 0n) : data.shape[this.batchFirst ? 0 : 1];
      const stateShape = [this.numLayers * dirs, batch, this.hiddenSize];
      let states: Tensor[];
      if (hx === undefined) {
        const n = this.mode === 'lstm' ? 2 : 1;
        states = Array.from({ length: n }, () => zeros(stateShape, { dtype: data.dtype, device: data.device }));
      } else {
        states = hx.map((h, i) => {
          checkTensor(`hx[${i}]`, h);
          const s = h.shape;
          if (s.length !== 3 || s.some((d, k) => d !== stateShape[k])) {
            throw new TorchError(`Expected hidden size [${stateShape.join(', ')}], got [${s.join(', ')}]`);
          }
          return packed && input.sortedIndices ? h.indexSelect(1, input.sortedIndices) : h;
        });
      }
      const weights = this.flatWeights().map((w) => w.handle);
      const out = packed
        ? native.rnnPacked(this.mode, data.handle, input.batchSizes.handle, states.map((s) => s.handle), weights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional)
        : native.rnn(this.mode, data.handle, states.map((s) => s.handle), weights, this.bias, this.numLayers, this.dropout, this.training, this.bidirectional, this.batchFirst);
      const [o, ...h] = out.map(wrap);
      const hidden = packed && input.unsortedIndices ? h.map((t) => t.indexSelect(1, input.unsortedIndices as Tensor)) : h;
      const output = packed
        ? makePacked(o, input.batchSizes.detach(), input.sortedIndices?.detach() ?? null, input.unsortedIndices?.detach() ?? null)
        : o;
      return { output, hidden };
    });
  }

  protected override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (this.mode === 'rnn_relu') parts.push("nonlinearity='relu'");
    if (!this.bias) parts.push('bias=False');
    if (this.batchFirst) parts.push('batch_first=True');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=True');
    return parts.join(', ');
  }
}

/** Elman RNN: returns `[output, hN]`. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = options && typeof options === 'object' && options.nonlinearity !== undefined ? checkOneOf('nonlinearity', options.nonlinearity, ['tanh', 'relu'] as const) : 'tanh';
    super(nl === 'relu' ? 'rnn_relu' : 'rnn_tanh', inputSize, hiddenSize, options);
  }
  forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    const r = this.run(input, hx === undefined ? undefined : [hx]);
    return [r.output, r.hidden[0]];
  }
}

/** GRU: returns `[output, hN]`. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNOptions, 'nonlinearity'> = {}) {
    super('gru', inputSize, hiddenSize, options);
  }
  forward(input: Tensor, hx?: Tensor): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx?: Tensor): [Tensor | PackedSequence, Tensor] {
    const r = this.run(input, hx === undefined ? undefined : [hx]);
    return [r.output, r.hidden[0]];
  }
}

/** LSTM: returns `[output, [hN, cN]]`. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNOptions, 'nonlinearity'> = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }
  forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]];
  forward(input: PackedSequence, hx?: [Tensor, Tensor]): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx?: [Tensor, Tensor]): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw invalid('hx', 'a pair [h0, c0] of Tensors', hx);
    const r = this.run(input, hx);
    return [r.output, [r.hidden[0], r.hidden[1]]];
  }
}
