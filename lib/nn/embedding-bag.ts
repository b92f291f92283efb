import { TorchError } from '../errors';
import { native } from '../native';
import { tidy } from '../scope';
import { checkCudaIndices } from '../cuda-guard';
import { arange } from '../factories';
import { Tensor, wrap } from '../tensor';
import { checkBoolean, checkInteger, checkKeys, checkObject, checkOneOf, checkTensor, invalid } from '../validate';
import { embeddingWeight, paddingIndex } from './embedding';
import { Module } from './module';

export type EmbeddingBagMode = 'sum' | 'mean' | 'max';
const MODES: readonly EmbeddingBagMode[] = ['sum', 'mean', 'max'];

export interface EmbeddingBagOptions {
  /** How each bag's vectors are reduced (default 'mean', as PyTorch). */
  mode?: EmbeddingBagMode;
  /** Offsets has one more entry, the end of the last bag (PyTorch's include_last_offset). */
  includeLastOffset?: boolean;
  /** Ids equal to this one are left out of their bag; the row is zeros and gets no gradient. */
  paddingIdx?: number;
}

/**
 * Sums, means or maxes of bags of embeddings without the [bags, bag size, dim] intermediate, as
 * PyTorch's nn.EmbeddingBag (same parameter name `weight`, same forward arguments), so its state
 * dict loads into the Python class.
 */
export class EmbeddingBag extends Module {
  weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly mode: EmbeddingBagMode;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingBagOptions = {}) {
    super();
    const o = checkObject('options', options);
    checkKeys('EmbeddingBag', o, ['mode', 'includeLastOffset', 'paddingIdx']);
    this.numEmbeddings = checkInteger('numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInteger('embeddingDim', embeddingDim, 1);
    this.mode = o.mode === undefined ? 'mean' : checkOneOf('options.mode', o.mode, MODES);
    this.includeLastOffset = o.includeLastOffset === undefined ? false : checkBoolean('options.includeLastOffset', o.includeLastOffset);
    this.paddingIdx = paddingIndex('options.paddingIdx', o.paddingIdx, numEmbeddings);
    this.weight = embeddingWeight(numEmbeddings, embeddingDim, this.paddingIdx);
  }

  /**
   * input: 1-d ids with `offsets` (where each bag starts), or 2-d [bags, bag size] without offsets.
   * perSampleWeights (mode 'sum' only): one weight per id, multiplying its vector. -> [bags, dim]
   */
  forward(input: Tensor, offsets?: Tensor | null, perSampleWeights?: Tensor | null): Tensor {
    this.checkAlive();
    checkTensor('input', input);
    if (input.dtype !== 'int64' && input.dtype !== 'int32') throw new TypeError(`Expected an int64 or int32 tensor of ids for input but received dtype ${input.dtype}`);
    const hasOffsets = offsets !== undefined && offsets !== null;
    const hasWeights = perSampleWeights !== undefined && perSampleWeights !== null;
    if (hasOffsets) checkTensor('offsets', offsets);
    if (hasWeights) {
      checkTensor('perSampleWeights', perSampleWeights);
      if (this.mode !== 'sum') throw new TorchError(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${this.mode}'). Please open a feature request on GitHub.`);
      const a = perSampleWeights.shape;
      const b = input.shape;
      if (a.length !== b.length || a.some((d, i) => d !== b[i])) throw invalid('perSampleWeights', `a tensor of the input's shape [${b.join(', ')}]`, perSampleWeights);
    }
    checkCudaIndices('input', input, this.weight, 0, false);
    return tidy(() => {
      let ids = input;
      let offs: Tensor;
      let weights = hasWeights ? perSampleWeights : undefined;
      if (input.ndim === 2) {
        if (hasOffsets) throw invalid('offsets', 'null when input is 2-d (each row is a bag)', offsets);
        const [bags, size] = input.shape;
        ids = input.reshape([-1]);
        offs = arange(0, bags * size, size, { dtype: input.dtype, device: input.device });
        if (weights) weights = weights.reshape([-1]);
      } else if (input.ndim === 1) {
        if (!hasOffsets) throw invalid('offsets', 'a 1-d tensor of bag starts when input is 1-d', offsets);
        if (offsets.ndim !== 1) throw invalid('offsets', 'a 1-d tensor', offsets);
        if (offsets.dtype !== input.dtype) throw new TypeError(`Expected a tensor of the input's dtype (${input.dtype}) for offsets but received dtype ${offsets.dtype}`);
        offs = offsets;
      } else {
        throw invalid('input', 'a 1-d (with offsets) or 2-d tensor of ids', input);
      }
      const mode = MODES.indexOf(this.mode);
      return wrap(native.embeddingBag(this.weight.handle, ids.handle, offs.handle, mode, weights?.handle, this.includeLastOffset, this.paddingIdx ?? -1));
    });
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode='${this.mode}'${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
