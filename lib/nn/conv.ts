import { native } from '../native';
import { empty } from '../factories';
import { Tensor, wrap } from '../tensor';
import { checkBoolean, checkInteger, checkObject, checkKeys, checkTensor, invalid } from '../validate';
import { resetWeightAndBias } from './init';
import { Module, parameter } from './module';

export interface ConvOptions {
  stride?: number | number[];
  padding?: number | number[];
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
}

function tuple(name: string, value: unknown, n: number, min: number): number[] {
  if (typeof value === 'number') return Array(n).fill(checkInteger(name, value, min));
  if (Array.isArray(value) && value.length === n) return value.map((v, i) => checkInteger(`${name}[${i}]`, v, min));
  throw invalid(name, `an integer or an array of ${n} integers`, value);
}

/** The shared machinery of Conv1d and Conv2d (torch.nn.modules.conv._ConvNd). */
abstract class ConvNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly groups: number;

  constructor(dims: number, inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvOptions) {
    super();
    const o = checkObject('options', options);
    checkKeys(this.constructor.name, o, ['stride', 'padding', 'dilation', 'groups', 'bias']);
    this.inChannels = checkInteger('inChannels', inChannels, 1);
    this.outChannels = checkInteger('outChannels', outChannels, 1);
    this.kernelSize = tuple('kernelSize', kernelSize, dims, 1);
    this.stride = tuple('stride', o.stride ?? 1, dims, 1);
    this.padding = tuple('padding', o.padding ?? 0, dims, 0);
    this.dilation = tuple('dilation', o.dilation ?? 1, dims, 1);
    this.groups = o.groups === undefined ? 1 : checkInteger('groups', o.groups, 1);
    if (inChannels % this.groups || outChannels % this.groups) throw new RangeError('inChannels and outChannels must be divisible by groups');
    const bias = o.bias === undefined ? true : checkBoolean('bias', o.bias);
    this.weight = parameter(empty([outChannels, inChannels / this.groups, ...this.kernelSize]));
    this.bias = bias ? parameter(empty([outChannels])) : null;
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    this.checkAlive();
    checkTensor('input', input);
    return wrap(native.conv(input.handle, this.weight.handle, this.bias?.handle, this.stride, this.padding, this.dilation, this.groups));
  }

  protected override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize.join(', ')}), stride=(${this.stride.join(', ')})`;
  }
}

/** 1-D convolution over [batch, channels, length]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number], options: ConvOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }
}

/** 2-D convolution over [batch, channels, height, width]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: ConvOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }
}
