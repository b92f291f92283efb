import { native } from '../native';
import { Tensor, wrap } from '../tensor';
import { checkNumber, checkTensor } from '../validate';
import { Module } from './module';

/** Zeroes elements with probability p in training mode, scaling the rest by 1/(1-p). */
export class Dropout extends Module {
  readonly p: number;
  constructor(p = 0.5) {
    super();
    this.p = checkNumber('p', p, { min: 0, max: 1 });
  }
  forward(input: Tensor): Tensor {
    checkTensor('input', input);
    return wrap(native.dropout(input.handle, this.p, this.training));
  }
  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
