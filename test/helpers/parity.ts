// Shared by the parity and interop tests: reads the PyTorch fixtures written by
// test/nn/parity/make_fixtures.py, builds the module a fixture describes, loads its weights and compares
// arrays with PyTorch's numbers (|actual - expected| <= rtol * |expected| + atol), keeping the largest
// error seen per case so the suite can print one line per case.
import * as fs from 'fs';
import * as path from 'path';
import { backends, nn, optim, tensor, Tensor } from '../../lib';

/** PARITY_FIXTURES: references made elsewhere (on the GPU by that machine's PyTorch, say). */
export const FIXTURE_DIR = process.env.PARITY_FIXTURES ?? path.join(__dirname, '..', 'fixtures', 'parity');
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** The Python with Debian's python3-torch; the `python3` first on PATH may have no torch. */
export const PYTHON = process.env.TORCH_SENTIMENT_PYTHON ?? '/usr/bin/python3';

/** `cuda` runs the suite on the GPU (PARITY_DEVICE=cuda), where cuDNN's kernels round differently. */
export const DEVICE = process.env.PARITY_DEVICE ?? process.env.TORCH_SENTIMENT_TEST_DEVICE ?? 'cpu';
export const RTOL = DEVICE === 'cpu' ? 1e-5 : 1e-4;
// The committed fixtures are the CPU's float32 results; cuDNN's TF32 (PyTorch's default on Ampere and
// later) keeps only 10 mantissa bits, so a GPU run against them turns TF32 off, as
// torch.backends.cudnn.allow_tf32 = False. References made on the GPU itself keep PyTorch's defaults.
if (DEVICE.startsWith('cuda') && !process.env.PARITY_FIXTURES) backends.setAllowTF32({ cudnn: false, cublas: false });
export const ATOL = 1e-6;
/** Relative errors are reported over elements at least this large (smaller ones are held to ATOL). */
export const REPORT_FLOOR = 1e-4;

// ------------------------------------------------------------------------------------------- fixtures

export interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'int64';
  data: number[];
}

/** [state_dict name, shape, flat row-major data] */
export type NamedArray = [string, number[], number[]];

export interface Summary {
  sum: number;
  sumSq: number;
  absSum: number;
  values: number[];
}
export type NamedSummary = [string, number[], Summary];

export interface ModuleConfig {
  module: string;
  args: Array<number | number[]>;
  options: Record<string, unknown>;
}

export interface OptimizerConfig {
  kind: 'SGD' | 'Adam';
  lr: number;
  steps: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  betas?: [number, number];
  eps?: number;
}

export interface Fixture {
  name: string;
  kind: 'module' | 'loss' | 'optim' | 'model';
  description: string;
  config: ModuleConfig;
  params?: NamedArray[];
  inputs: Record<string, FixtureTensor | number[] | boolean>;
  lossWeights?: Record<string, FixtureTensor>;
  optimizer?: OptimizerConfig;
  init?: { formula: string; params: Array<[string, number[], number, number]> };
  indices?: Array<[string, number[]]>;
  paramCount?: number;
  expected: {
    outputs?: Record<string, FixtureTensor>;
    loss: number;
    losses?: number[];
    grads?: NamedArray[];
    gradsPerStep?: NamedArray[][];
    paramsPerStep?: NamedArray[][];
    paramsAfter?: NamedArray[];
    inputGrad?: FixtureTensor;
    initSummary?: NamedSummary[];
    gradSummary?: NamedSummary[];
    paramsAfterSummary?: NamedSummary[];
    paramsDeltaSummary?: NamedSummary[];
  };
}

export function fixtureNames(): string[] {
  const index = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'index.json'), 'utf8')) as { cases: string[] };
  return index.cases;
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
}

export function fixtureTensor(value: unknown, what: string): FixtureTensor {
  const t = value as FixtureTensor | undefined;
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new Error(`fixture has no tensor ${what}`);
  return t;
}

// ----------------------------------------------------------------------- the weight formula, in JS

/**
 * The formula make_fixtures.py uses for weights it does not store:
 * float32((((i * 2654435761 + k * 97) % 1000003) / 1000003 - 0.5) * scale), in double precision
 * (i * 2654435761 < 2**53 for every index here, so the integer part is exact).
 */
export function formulaValues(numel: number, k: number, scale: number): Float32Array {
  if (numel * 2654435761 >= 2 ** 53) throw new Error(`formulaValues: ${numel} elements overflow exact doubles`);
  const out = new Float32Array(numel);
  for (let i = 0; i < numel; i++) {
    const u = ((i * 2654435761 + k * 97) % 1000003) / 1000003 - 0.5;
    out[i] = Math.fround(u * scale);
  }
  return out;
}

// -------------------------------------------------------------------------------- tensors both ways

export function toTensor(t: FixtureTensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  if (t.dtype === 'int64') {
    return tensor(BigInt64Array.from(t.data, (v) => BigInt(v)), { shape: t.shape, dtype: 'int64', device: DEVICE });
  }
  return tensor(Float32Array.from(t.data), {
    shape: t.shape,
    dtype: 'float32',
    device: DEVICE,
    requiresGrad: opts.requiresGrad ?? false,
  });
}

export function floatTensor(data: Float32Array | number[], shape: number[]): Tensor {
  return tensor(data instanceof Float32Array ? data : Float32Array.from(data), { shape, dtype: 'float32', device: DEVICE });
}

/** A tensor's elements as plain numbers, read on the CPU. */
export function values(t: Tensor): Float64Array {
  const host = t.device === 'cpu' ? t : t.to('cpu');
  try {
    const arr = host.toTypedArray() as ArrayLike<number | bigint>;
    return Float64Array.from({ length: arr.length }, (_, i) => Number(arr[i]));
  } finally {
    if (host !== t) host.dispose();
  }
}

/** Load `[name, shape, data]` weights into `module` with strict names and shapes. */
export function loadParams(module: nn.Module, params: NamedArray[]): void {
  const sd: Record<string, Tensor> = {};
  for (const [name, shape, data] of params) sd[name] = tensor(Float32Array.from(data), { shape, dtype: 'float32' });
  try {
    module.loadStateDict(sd, { strict: true });
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}

// ------------------------------------------------------------------------------------ comparisons

export interface CaseErrors {
  /** largest |a - e| / |e| over elements with |e| >= REPORT_FLOOR */
  maxRel: number;
  /** largest |a - e| over all elements */
  maxAbs: number;
  /** what the largest relative error was seen on */
  worst: string;
  compared: number;
  /** values equal to the float32 the fixture's 9 significant digits name: bit-identical to PyTorch */
  identical: number;
}

/** Collects the comparisons of one case; `check` throws a readable error on the first mismatch. */
export class ParityRecorder {
  readonly errors: CaseErrors = { maxRel: 0, maxAbs: 0, worst: '', compared: 0, identical: 0 };

  constructor(readonly caseName: string) {}

  /** Compare elementwise: |a - e| <= rtol * |e| + atol, or per-element tolerances if given. */
  check(
    what: string,
    actual: ArrayLike<number>,
    expected: ArrayLike<number>,
    opts: { rtol?: number; atol?: number; tolerance?: ArrayLike<number> } = {},
  ): void {
    const rtol = opts.rtol ?? RTOL;
    const atol = opts.atol ?? ATOL;
    if (actual.length !== expected.length) {
      throw new Error(`${this.caseName}: ${what}: ${actual.length} values, PyTorch has ${expected.length}`);
    }
    let firstBad = -1;
    for (let i = 0; i < expected.length; i++) {
      const a = actual[i];
      const e = expected[i];
      const diff = Math.abs(a - e);
      const tol = opts.tolerance ? opts.tolerance[i] : rtol * Math.abs(e) + atol;
      if (!(diff <= tol) && firstBad < 0) firstBad = i; // NaN fails too
      if (a === Math.fround(e)) this.errors.identical++;
      if (diff > this.errors.maxAbs) this.errors.maxAbs = diff;
      if (Math.abs(e) >= REPORT_FLOOR && diff / Math.abs(e) > this.errors.maxRel) {
        this.errors.maxRel = diff / Math.abs(e);
        this.errors.worst = what;
      }
    }
    this.errors.compared += expected.length;
    if (firstBad >= 0) {
      const i = firstBad;
      const tol = opts.tolerance ? opts.tolerance[i] : rtol * Math.abs(expected[i]) + atol;
      throw new Error(
        `${this.caseName}: ${what}[${i}] = ${actual[i]}, PyTorch gives ${expected[i]} ` +
          `(|diff| ${Math.abs(actual[i] - expected[i]).toExponential(3)} > tolerance ${tol.toExponential(3)}); ` +
          `first values: ${fmt(actual)} vs ${fmt(expected)}`,
      );
    }
  }

  checkScalar(what: string, actual: number, expected: number, opts: { rtol?: number; atol?: number } = {}): void {
    this.check(what, [actual], [expected], opts);
  }

  checkShape(what: string, actual: number[], expected: number[]): void {
    if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
      throw new Error(`${this.caseName}: ${what} has shape [${actual}], PyTorch gives [${expected}]`);
    }
  }

  /** Shape and values of a tensor against a fixture tensor. */
  checkTensor(what: string, actual: Tensor, expected: FixtureTensor, opts: { rtol?: number; atol?: number } = {}): void {
    this.checkShape(what, actual.shape, expected.shape);
    this.check(what, values(actual), expected.data, opts);
  }
}

function fmt(xs: ArrayLike<number>): string {
  const head = Array.from({ length: Math.min(xs.length, 6) }, (_, i) => Number(xs[i]).toPrecision(7));
  return `[${head.join(', ')}${xs.length > 6 ? ', ...' : ''}]`;
}

/** float32 spacing at x: the size of one rounding step of a float32 parameter update. */
export function ulp32(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
}

export function summarize(xs: ArrayLike<number>, indices: number[]): Summary {
  let sum = 0;
  let sumSq = 0;
  let absSum = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    sum += v;
    sumSq += v * v;
    absSum += Math.abs(v);
  }
  return { sum, sumSq, absSum, values: indices.map((i) => xs[i]) };
}

// --------------------------------------------------------------------------------- case reporting

const report = new Map<string, CaseErrors & { description: string }>();

export function recordCase(name: string, description: string, errors: CaseErrors): void {
  report.set(name, { ...errors, description });
}

/** One line per case plus the overall largest error; also written as JSON to $PARITY_REPORT if set. */
export function printReport(title: string): void {
  if (report.size === 0) return;
  const rows = [...report.entries()];
  let worst: [string, CaseErrors] | null = null;
  for (const [name, e] of rows) if (!worst || e.maxRel > worst[1].maxRel) worst = [name, e];
  const identical = rows.reduce((n, [, e]) => n + e.identical, 0);
  const compared = rows.reduce((n, [, e]) => n + e.compared, 0);
  const width = Math.max(...rows.map(([n]) => n.length));
  const lines = rows.map(
    ([name, e]) =>
      `${name.padEnd(width)}  max rel ${e.maxRel.toExponential(2)}  max abs ${e.maxAbs.toExponential(2)}  ` +
      `(${e.identical}/${e.compared} bit-identical${e.worst ? `; worst: ${e.worst}` : ''})`,
  );
  const summary =
    `${title}: ${rows.length} cases on ${DEVICE} within rtol ${RTOL} + atol ${ATOL}; largest relative error ` +
    `${worst ? `${worst[1].maxRel.toExponential(2)} (${worst[0]}: ${worst[1].worst})` : 'n/a'}; ` +
    `${identical} of ${compared} values bit-identical to PyTorch's float32`;
  // eslint-disable-next-line no-console
  console.log([...lines, summary].join('\n'));
  if (process.env.PARITY_REPORT) {
    fs.writeFileSync(
      process.env.PARITY_REPORT,
      JSON.stringify({ title, device: DEVICE, rtol: RTOL, atol: ATOL, summary, cases: Object.fromEntries(rows) }, null, 1),
    );
  }
}

// ------------------------------------------------------------------------ modules from a fixture

/** The module a fixture's `config` names, with the Node API's option names. */
export function buildModule(config: ModuleConfig): nn.Module {
  const a = config.args;
  const o = config.options;
  switch (config.module) {
    case 'Embedding':
      return new nn.Embedding(a[0] as number, a[1] as number, o as { paddingIdx?: number });
    case 'RNN':
      return new nn.RNN(a[0] as number, a[1] as number, o);
    case 'LSTM':
      return new nn.LSTM(a[0] as number, a[1] as number, o);
    case 'GRU':
      return new nn.GRU(a[0] as number, a[1] as number, o);
    case 'Linear':
      return new nn.Linear(a[0] as number, a[1] as number, o);
    case 'Conv1d':
      return new nn.Conv1d(a[0] as number, a[1] as number, a[2] as number, o);
    case 'Conv2d':
      return new nn.Conv2d(a[0] as number, a[1] as number, a[2] as number | [number, number], o);
    default:
      throw new Error(`buildModule: no builder for ${config.module}`);
  }
}

export function buildOptimizer(cfg: OptimizerConfig, params: Tensor[]): optim.SGD | optim.Adam {
  if (cfg.kind === 'SGD') {
    return new optim.SGD(params, {
      lr: cfg.lr,
      ...(cfg.momentum !== undefined && { momentum: cfg.momentum }),
      ...(cfg.dampening !== undefined && { dampening: cfg.dampening }),
      ...(cfg.weightDecay !== undefined && { weightDecay: cfg.weightDecay }),
      ...(cfg.nesterov !== undefined && { nesterov: cfg.nesterov }),
    });
  }
  return new optim.Adam(params, {
    lr: cfg.lr,
    ...(cfg.betas !== undefined && { betas: cfg.betas }),
    ...(cfg.eps !== undefined && { eps: cfg.eps }),
    ...(cfg.weightDecay !== undefined && { weightDecay: cfg.weightDecay }),
  });
}

/** torch.cat((hidden[-2], hidden[-1]), dim=1) for hidden [layers * 2, batch, hid]: the last layer's
 *  forward and backward final states side by side, [batch, 2 * hid]. */
export function catLastTwo(hidden: Tensor): Tensor {
  const [n, batch] = hidden.shape;
  return hidden.narrow(0, n - 2, 2).permute([1, 0, 2]).reshape([batch, -1]);
}
