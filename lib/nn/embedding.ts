import { TorchError } from '../errors';
import { native } from '../native';
import { checkCudaIndices } from '../cuda-guard';
import { empty } from '../factories';
import { Tensor, noGrad, wrap } from '../tensor';
import { checkBoolean, checkInteger, checkObject, checkKeys, checkTensor } from '../validate';
import { normal_ } from './init';
import { Module, parameter } from './module';

export interface EmbeddingOptions {
  /** This row is initialised to zeros and receives no gradient. */
  paddingIdx?: number;
}

/** PyTorch's padding_idx: null (none), or an index in [-n, n), made non-negative. */
export function paddingIndex(name: string, value: unknown, n: number): number | null {
  if (value === undefined || value === null) return null;
  const pad = checkInteger(name, value, -n, n - 1);
  return pad < 0 ? pad + n : pad;
}

/** A [n, dim] parameter drawn from N(0, 1) with the padding row zero, as PyTorch initialises embeddings. */
export function embeddingWeight(n: number, dim: number, pad: number | null): Tensor {
  const weight = parameter(empty([n, dim]));
  normal_(weight);
  if (pad !== null) noGrad(() => weight.indexPut_([pad], 0));
  return weight;
}

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`. */
export class Embedding extends Module {
  weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const o = checkObject('options', options);
    checkKeys('Embedding', o, ['paddingIdx', '_weight']);
    this.numEmbeddings = checkInteger('numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInteger('embeddingDim', embeddingDim, 1);
    this.paddingIdx = paddingIndex('paddingIdx', o.paddingIdx, numEmbeddings);
    this.weight = o._weight instanceof Tensor ? parameter(o._weight) : embeddingWeight(numEmbeddings, embeddingDim, this.paddingIdx);
  }

  /**
   * An Embedding holding the given weights (copied), as nn.Embedding.from_pretrained: frozen
   * (no gradient) unless `freeze: false`.
   */
  static fromPretrained(weights: Tensor, options: { freeze?: boolean; paddingIdx?: number } = {}): Embedding {
    checkTensor('weights', weights);
    const o = checkObject('options', options);
    checkKeys('Embedding.fromPretrained', o, ['freeze', 'paddingIdx']);
    if (weights.ndim !== 2) throw new TorchError(`Embeddings parameter is expected to be 2-dimensional, got shape [${weights.shape.join(', ')}]`);
    const freeze = o.freeze === undefined ? true : checkBoolean('freeze', o.freeze);
    const [rows, cols] = weights.shape;
    const copy = noGrad(() => weights.detach().clone());
    const e = new Embedding(rows, cols, { paddingIdx: o.paddingIdx as number | undefined, _weight: copy } as EmbeddingOptions);
    e.weight.requiresGrad_(!freeze);
    return e;
  }

  forward(input: Tensor): Tensor {
    this.checkAlive();
    checkTensor('input', input);
    // An out-of-range id on the GPU is a device-side assert that poisons the CUDA context; the shared
    // index check catches it on the host first (a no-op on the CPU, where libtorch throws).
    checkCudaIndices('input', input, this.weight, 0, false);
    return wrap(native.embedding(this.weight.handle, input.handle, this.paddingIdx ?? -1));
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
