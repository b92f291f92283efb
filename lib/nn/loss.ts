import { checkCudaClassTargets } from '../cuda-guard';
import { native } from '../native';
import { Tensor, wrap } from '../tensor';
import { checkInteger, checkNumber, checkObject, checkKeys, checkOneOf, checkTensor } from '../validate';
import { Module } from './module';

export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTIONS = ['none', 'mean', 'sum'] as const; // codes 0, 1, 2 as at::Reduction

function reductionCode(value: unknown): number {
  return REDUCTIONS.indexOf(value === undefined ? 'mean' : checkOneOf('reduction', value, REDUCTIONS));
}

/** Sigmoid + binary cross-entropy in one numerically stable op. */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: { reduction?: Reduction; weight?: Tensor; posWeight?: Tensor } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  const o = checkObject('options', options);
  checkKeys('binaryCrossEntropyWithLogits', o, ['reduction', 'weight', 'posWeight']);
  const weight = o.weight === undefined ? undefined : checkTensor('weight', o.weight).handle;
  const posWeight = o.posWeight === undefined ? undefined : checkTensor('posWeight', o.posWeight).handle;
  return wrap(native.bceWithLogits(input.handle, target.handle, weight, posWeight, reductionCode(o.reduction)));
}

/** Log-softmax + negative log-likelihood over class logits [N, C] and class indices [N]. */
export function crossEntropy(input: Tensor, target: Tensor, options: { reduction?: Reduction; weight?: Tensor; ignoreIndex?: number; labelSmoothing?: number } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  const o = checkObject('options', options);
  checkKeys('crossEntropy', o, ['reduction', 'weight', 'ignoreIndex', 'labelSmoothing']);
  const weight = o.weight === undefined ? undefined : checkTensor('weight', o.weight).handle;
  const ignore = o.ignoreIndex === undefined ? -100 : checkInteger('ignoreIndex', o.ignoreIndex);
  const smoothing = o.labelSmoothing === undefined ? 0 : checkNumber('labelSmoothing', o.labelSmoothing, { min: 0, max: 1 });
  if (input.ndim >= 1) checkCudaClassTargets(input, target, input.ndim === 1 ? input.shape[0] : input.shape[1], ignore);
  return wrap(native.crossEntropy(input.handle, target.handle, weight, reductionCode(o.reduction), ignore, smoothing));
}

export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkTensor('input', input);
  checkTensor('target', target);
  const o = checkObject('options', options);
  checkKeys('mseLoss', o, ['reduction']);
  return wrap(native.mseLoss(input.handle, target.handle, reductionCode(o.reduction)));
}

/** nn.BCEWithLogitsLoss: the tutorial's criterion. */
export class BCEWithLogitsLoss extends Module {
  constructor(private readonly options: { reduction?: Reduction; weight?: Tensor; posWeight?: Tensor } = {}) {
    super();
    const o = checkObject('options', options);
    checkKeys('BCEWithLogitsLoss', o, ['reduction', 'weight', 'posWeight']);
    reductionCode(o.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

/** nn.CrossEntropyLoss, for the multi-class models. */
export class CrossEntropyLoss extends Module {
  constructor(private readonly options: { reduction?: Reduction; weight?: Tensor; ignoreIndex?: number; labelSmoothing?: number } = {}) {
    super();
    const o = checkObject('options', options);
    checkKeys('CrossEntropyLoss', o, ['reduction', 'weight', 'ignoreIndex', 'labelSmoothing']);
    reductionCode(o.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

export class MSELoss extends Module {
  constructor(private readonly options: { reduction?: Reduction } = {}) {
    super();
    reductionCode(checkObject('options', options).reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}
