// nn.EmbeddingBag against PyTorch 1.13.1: the cases of fixtures/embedding-bag.json (written by
// embedding_bag_reference.py beside this file) give the same outputs, weight gradients and per-sample
// weight gradients; argument errors name the argument.
import * as fs from 'fs';
import * as path from 'path';
import { nn, noGrad, tensor, Tensor, tidy } from '../../lib';

interface Case {
  name: string;
  mode: 'sum' | 'mean' | 'max';
  input: number[] | number[][];
  offsets: number[] | null;
  includeLastOffset: boolean;
  paddingIdx: number | null;
  weight: number[][];
  perSampleWeights: number[] | number[][] | null;
  upstream: number[][];
  output: number[][];
  weightGrad: number[][];
  perSampleWeightsGrad: number[] | number[][] | null;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'embedding-bag.json'), 'utf8')) as { cases: Case[] };

function flat(x: unknown): number[] {
  return (Array.isArray(x) ? x.flat(Infinity) : [x]) as number[];
}

function expectClose(actual: Tensor, expected: unknown, what: string): void {
  const a = flat(actual.toArray());
  const e = flat(expected);
  expect({ what, length: a.length }).toEqual({ what, length: e.length });
  const worst = Math.max(0, ...a.map((v, i) => Math.abs(v - e[i]) / (1e-6 + Math.abs(e[i]))));
  expect({ what, ok: worst < 1e-5 }).toEqual({ what, ok: true });
}

describe('EmbeddingBag parity with PyTorch', () => {
  test('the fixture has every mode', () => {
    expect(new Set(fixture.cases.map((c) => c.mode))).toEqual(new Set(['sum', 'mean', 'max']));
  });

  test.each(fixture.cases.map((c) => [c.name, c] as [string, Case]))('%s', (_name, c) => {
    const bag = new nn.EmbeddingBag(10, 4, { mode: c.mode, includeLastOffset: c.includeLastOffset, paddingIdx: c.paddingIdx ?? undefined });
    tidy(() => {
      noGrad(() => bag.weight.copy_(tensor(c.weight)));
      const input = tensor(c.input, { dtype: 'int64' });
      const offsets = c.offsets === null ? null : tensor(c.offsets, { dtype: 'int64' });
      const weights = c.perSampleWeights === null ? null : tensor(c.perSampleWeights, { requiresGrad: true });
      const out = bag.forward(input, offsets, weights);
      expectClose(out, c.output, 'output');
      out.mul(tensor(c.upstream)).sum().backward();
      expectClose(bag.weight.grad as Tensor, c.weightGrad, 'weight grad');
      if (weights) expectClose(weights.grad as Tensor, c.perSampleWeightsGrad, 'per-sample weight grad');
    });
    expect(Object.keys(bag.stateDict())).toEqual(['weight']);
    bag.dispose();
  });
});

describe('EmbeddingBag arguments', () => {
  const bag = new nn.EmbeddingBag(10, 3, { mode: 'mean' });
  afterAll(() => bag.dispose());

  test('defaults as PyTorch: mode mean, weights N(0, 1)', () => {
    const b = new nn.EmbeddingBag(1000, 8);
    expect(b.mode).toBe('mean');
    const std = b.weight.std().item() as number;
    expect(std).toBeGreaterThan(0.9);
    expect(std).toBeLessThan(1.1);
    expect(b.toString()).toBe("EmbeddingBag(1000, 8, mode='mean')");
    b.dispose();
  });

  test('int32 ids and offsets give what int64 ones give', () => {
    const sum = new nn.EmbeddingBag(10, 3, { mode: 'sum' });
    tidy(() => {
      const ids = [1, 2, 4, 5, 4, 3, 2, 9];
      const offsets = [0, 3, 3, 5];
      const w = tensor([0.5, 1, -2, 3, 0.25, 1, 1, -1]);
      const a = sum.forward(tensor(ids, { dtype: 'int32' }), tensor(offsets, { dtype: 'int32' }), w).toArray();
      const b = sum.forward(tensor(ids, { dtype: 'int64' }), tensor(offsets, { dtype: 'int64' }), w).toArray();
      expect(a).toEqual(b);
    });
    sum.dispose();
  });

  test('padding row starts at zero', () => {
    const b = new nn.EmbeddingBag(5, 2, { paddingIdx: -1 });
    expect(b.paddingIdx).toBe(4);
    expect(b.weight.index(4).toArray()).toEqual([0, 0]);
    b.dispose();
  });

  test('bad arguments name themselves', () => {
    tidy(() => {
      const ids = tensor([1, 2, 3], { dtype: 'int64' });
      expect(() => bag.forward(ids)).toThrow(/offsets/);
      expect(() => bag.forward(tensor([[1, 2]], { dtype: 'int64' }), tensor([0], { dtype: 'int64' }))).toThrow(/offsets/);
      expect(() => bag.forward(tensor([1.5]), tensor([0], { dtype: 'int64' }))).toThrow(/for input but received dtype float32/);
      expect(() => bag.forward(ids, tensor([0], { dtype: 'int32' }))).toThrow(/\(int64\) for offsets but received dtype int32/);
      expect(() => bag.forward(ids, tensor([0], { dtype: 'int64' }), tensor([1, 1, 1]))).toThrow(/per_sample_weights is only supported for mode='sum'/);
      const sum = new nn.EmbeddingBag(10, 3, { mode: 'sum' });
      expect(() => sum.forward(ids, tensor([0], { dtype: 'int64' }), tensor([1, 1]))).toThrow(/perSampleWeights/);
      sum.dispose();
      expect(() => new nn.EmbeddingBag(10, 3, { mode: 'median' as 'sum' })).toThrow(/options.mode/);
      expect(() => new nn.EmbeddingBag(0, 3)).toThrow(/numEmbeddings/);
    });
  });

  test('an out-of-range id is an error, not a crash', () => {
    tidy(() => {
      expect(() => bag.forward(tensor([1, 12], { dtype: 'int64' }), tensor([0], { dtype: 'int64' }))).toThrow();
    });
  });
});
