// torch.nn.functional: the stateless ops the tutorial models use.
import { checkCudaIndices } from '../cuda-guard';
import { native } from '../native';
import { Tensor, wrap } from '../tensor';
import { checkBoolean, checkInteger, checkNumber, checkTensor, invalid } from '../validate';

export { binaryCrossEntropyWithLogits, crossEntropy, mseLoss } from './loss';

export function relu(input: Tensor): Tensor {
  return checkTensor('input', input).relu();
}
export function sigmoid(input: Tensor): Tensor {
  return checkTensor('input', input).sigmoid();
}
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  checkTensor('input', input);
  return wrap(native.dropout(input.handle, checkNumber('p', p, { min: 0, max: 1 }), checkBoolean('training', training)));
}
export function softmax(input: Tensor, dim: number): Tensor {
  return wrap(native.softmax(checkTensor('input', input).handle, checkInteger('dim', dim), false));
}
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return wrap(native.softmax(checkTensor('input', input).handle, checkInteger('dim', dim), true));
}
export function linear(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return wrap(native.linear(checkTensor('input', input).handle, checkTensor('weight', weight).handle, bias === undefined ? undefined : checkTensor('bias', bias).handle));
}
export function embedding(input: Tensor, weight: Tensor, paddingIdx?: number): Tensor {
  checkTensor('input', input);
  checkTensor('weight', weight);
  const padding = paddingIdx === undefined ? -1 : checkInteger('paddingIdx', paddingIdx);
  checkCudaIndices('input', input, weight, 0, false);
  return wrap(native.embedding(weight.handle, input.handle, padding));
}

function sizes(name: string, value: unknown, n: number, min: number): number[] {
  if (typeof value === 'number') return Array(n).fill(checkInteger(name, value, min));
  if (Array.isArray(value) && value.length === n) return value.map((v, i) => checkInteger(`${name}[${i}]`, v, min));
  throw invalid(name, `an integer or an array of ${n} integers`, value);
}

interface PoolOptions {
  stride?: number | number[];
  padding?: number | number[];
  ceilMode?: boolean;
}

function pool(kind: string, n: number, input: Tensor, kernelSize: number | number[], o: PoolOptions): Tensor {
  checkTensor('input', input);
  const kernel = sizes('kernelSize', kernelSize, n, 1);
  const stride = o.stride === undefined ? kernel : sizes('stride', o.stride, n, 1);
  const padding = sizes('padding', o.padding ?? 0, n, 0);
  const ceil = o.ceilMode === undefined ? false : checkBoolean('ceilMode', o.ceilMode);
  return wrap(native.pool(kind, input.handle, kernel, stride, padding, ceil));
}

export function maxPool1d(input: Tensor, kernelSize: number | [number], options: PoolOptions = {}): Tensor {
  return pool('max1d', 1, input, kernelSize, options);
}
export function maxPool2d(input: Tensor, kernelSize: number | [number, number], options: PoolOptions = {}): Tensor {
  return pool('max2d', 2, input, kernelSize, options);
}
export function avgPool1d(input: Tensor, kernelSize: number | [number], options: PoolOptions = {}): Tensor {
  return pool('avg1d', 1, input, kernelSize, options);
}
export function avgPool2d(input: Tensor, kernelSize: number | [number, number], options: PoolOptions = {}): Tensor {
  return pool('avg2d', 2, input, kernelSize, options);
}
