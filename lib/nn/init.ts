// Parameter initialisation with PyTorch's formulas and the same sequence of generator calls, so that
// after the same manualSeed a model starts from the same weights as PyTorch's on the CPU.
import { Tensor, noGrad } from '../tensor';

export function uniform_(t: Tensor, a: number, b: number): Tensor {
  return noGrad(() => t.uniform_(a, b));
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => t.normal_(mean, std));
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

/** fan_in and fan_out as torch.nn.init._calculate_fan_in_and_fan_out computes them. */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  const shape = t.shape;
  if (shape.length < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** torch.nn.init.kaiming_uniform_(t, a, mode='fan_in', nonlinearity='leaky_relu'). */
export function kaimingUniform_(t: Tensor, a = 0): Tensor {
  const fan = fans(t).fanIn;
  const gain = Math.sqrt(2.0 / (1 + a ** 2));
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}

/**
 * Linear's and Conv's reset_parameters(): kaiming_uniform_(weight, a=sqrt(5)), then the bias uniform in
 * ±1/sqrt(fan_in), in that order (the order of generator calls matters for seeded parity).
 */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, Math.sqrt(5));
  if (bias) {
    const fanIn = fans(weight).fanIn;
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
