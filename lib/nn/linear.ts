import { native } from '../native';
import { empty } from '../factories';
import { Tensor, wrap } from '../tensor';
import { checkBoolean, checkInteger, checkObject, checkKeys, checkTensor } from '../validate';
import { resetWeightAndBias } from './init';
import { Module, parameter } from './module';

/** y = x Wᵀ + b, with PyTorch's default initialisation. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const o = checkObject('options', options);
    checkKeys('Linear', o, ['bias']);
    this.inFeatures = checkInteger('inFeatures', inFeatures, 0);
    this.outFeatures = checkInteger('outFeatures', outFeatures, 0);
    const bias = o.bias === undefined ? true : checkBoolean('bias', o.bias);
    this.weight = parameter(empty([outFeatures, inFeatures]));
    this.bias = bias ? parameter(empty([outFeatures])) : null;
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    this.checkAlive();
    checkTensor('input', input);
    return wrap(native.linear(input.handle, this.weight.handle, this.bias?.handle));
  }

  protected override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
