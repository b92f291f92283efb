// PyTorch parity: every fixture of test/fixtures/parity (written by test/nn/parity/make_fixtures.py with
// python3-torch) is one test. Same weights and inputs as PyTorch; the forward outputs, the loss, every
// parameter's gradient and the parameters after 3 optimizer steps must agree within RTOL (1e-5 on the CPU)
// plus ATOL. The table printed at the end gives the largest relative error per case.
import { models, nn, optim, tensor, Tensor, tidy, liveTensors } from '../../lib';
import {
  ATOL,
  DEVICE,
  Fixture,
  NamedArray,
  ParityRecorder,
  RTOL,
  Summary,
  buildModule,
  buildOptimizer,
  catLastTwo,
  fixtureNames,
  fixtureTensor,
  formulaValues,
  loadFixture,
  loadParams,
  printReport,
  recordCase,
  summarize,
  toTensor,
  ulp32,
  values,
} from '../helpers/parity';

type Outputs = Record<string, Tensor>;

// ------------------------------------------------------------------------------ the two tutorial models

/** The upgraded-sentiment tutorial's model, small (fixture model_tutorial2_small). */
class Tutorial2Small extends nn.Module {
  embedding: nn.Embedding;
  rnn: nn.LSTM;
  fc: nn.Linear;

  constructor(vocab: number, emb: number, hidden: number, pad: number) {
    super();
    this.embedding = new nn.Embedding(vocab, emb, { paddingIdx: pad });
    this.rnn = new nn.LSTM(emb, hidden, { numLayers: 2, bidirectional: true });
    this.fc = new nn.Linear(2 * hidden, 1);
  }

  forward(text: Tensor, lengths: number[]): Tensor {
    const embedded = this.embedding.forward(text);
    const packed = nn.utils.rnn.packPaddedSequence(embedded, lengths, { enforceSorted: false });
    const [, [hidden]] = this.rnn.forward(packed);
    return this.fc.forward(catLastTwo(hidden)).squeeze(1);
  }
}

// ----------------------------------------------------------------------------------- shared checks

function checkNames(rec: ParityRecorder, module: nn.Module, expected: Array<[string, ...unknown[]]>): void {
  const names = module.namedParameters().map(([n]) => n);
  const want = expected.map(([n]) => n);
  if (names.join(',') !== want.join(',')) {
    throw new Error(`${rec.caseName}: namedParameters() gives [${names}], PyTorch's state_dict order is [${want}]`);
  }
}

function checkGrads(rec: ParityRecorder, module: nn.Module, expected: NamedArray[], label = 'grad'): void {
  const byName = new Map(module.namedParameters());
  for (const [name, shape, data] of expected) {
    const p = byName.get(name)!;
    const g = p.grad;
    if (g === null) throw new Error(`${rec.caseName}: ${name}.grad is null after backward()`);
    rec.checkShape(`${label} ${name}`, g.shape, shape);
    rec.check(`${label} ${name}`, values(g), data);
  }
}

function checkParams(rec: ParityRecorder, module: nn.Module, expected: NamedArray[], label: string): void {
  const byName = new Map(module.namedParameters());
  for (const [name, shape, data] of expected) {
    const p = byName.get(name)!;
    rec.checkShape(`${label} ${name}`, p.shape, shape);
    rec.check(`${label} ${name}`, values(p), data);
  }
}

/** sum_j sum(out_j * W_j) over the fixture's lossWeights, in their order. */
function weightedLoss(outs: Outputs, weights: Record<string, Tensor>): Tensor {
  let total: Tensor | null = null;
  for (const [key, w] of Object.entries(weights)) {
    const term = outs[key].mul(w).sum();
    total = total === null ? term : total.add(term);
  }
  if (total === null) throw new Error('no loss weights');
  return total;
}

// ------------------------------------------------------------------------------------ module cases

function forwardModule(fx: Fixture, module: nn.Module, inputs: Record<string, Tensor>): Outputs {
  const { config } = fx;
  switch (config.module) {
    case 'Embedding':
      return { output: (module as nn.Embedding).forward(inputs.ids) };
    case 'Linear':
      return { output: (module as nn.Linear).forward(inputs.input) };
    case 'Conv1d':
      return { output: (module as nn.Conv1d).forward(inputs.input) };
    case 'Conv2d':
      return { output: (module as nn.Conv2d).forward(inputs.input) };
    case 'RNN':
    case 'GRU':
    case 'LSTM': {
      const batchFirst = config.options.batchFirst === true;
      const lengths = fx.inputs.lengths as number[] | undefined;
      const x = inputs.input;
      const packed = lengths
        ? nn.utils.rnn.packPaddedSequence(x, lengths, { batchFirst, enforceSorted: fx.inputs.enforceSorted as boolean })
        : null;
      let out: Tensor | nn.PackedSequence;
      const result: Outputs = {};
      if (config.module === 'LSTM') {
        const lstm = module as nn.LSTM;
        const state: [Tensor, Tensor] | undefined = inputs.h0 ? [inputs.h0, inputs.c0] : undefined;
        const [o, [hN, cN]] = packed ? lstm.forward(packed, state) : lstm.forward(x, state);
        out = o;
        result.hN = hN;
        result.cN = cN;
      } else {
        const rnn = module as nn.RNN | nn.GRU;
        const [o, hN] = packed ? rnn.forward(packed, inputs.h0) : rnn.forward(x, inputs.h0);
        out = o;
        result.hN = hN;
      }
      if (out instanceof nn.PackedSequence) {
        const [padded] = nn.utils.rnn.padPackedSequence(out, { batchFirst });
        result.output = padded;
      } else {
        result.output = out;
      }
      return result;
    }
    default:
      throw new Error(`no forward for ${config.module}`);
  }
}

function runModuleCase(fx: Fixture, rec: ParityRecorder): void {
  const module = buildModule(fx.config);
  try {
    checkNames(rec, module, fx.params!);
    loadParams(module, fx.params!);
    module.to(DEVICE);
    const opt = buildOptimizer(fx.optimizer!, module.parameters());
    try {
      const losses: number[] = [];
      tidy(() => {
        const inputs: Record<string, Tensor> = {};
        for (const [key, v] of Object.entries(fx.inputs)) {
          if (typeof v === 'object' && !Array.isArray(v)) inputs[key] = toTensor(v);
        }
        const weights: Record<string, Tensor> = {};
        for (const [key, w] of Object.entries(fx.lossWeights!)) weights[key] = toTensor(w);
        for (let step = 0; step < fx.optimizer!.steps; step++) {
          opt.zeroGrad();
          const outs = forwardModule(fx, module, inputs);
          const loss = weightedLoss(outs, weights);
          loss.backward();
          losses.push(loss.item() as number);
          if (step === 0) {
            for (const [key, want] of Object.entries(fx.expected.outputs!)) rec.checkTensor(`output ${key}`, outs[key], want);
            rec.checkScalar('loss', loss.item() as number, fx.expected.loss);
            checkGrads(rec, module, fx.expected.grads!);
          }
          opt.step();
        }
      });
      rec.check('loss per step', losses, fx.expected.losses!);
      checkParams(rec, module, fx.expected.paramsAfter!, `after ${fx.optimizer!.steps} ${fx.optimizer!.kind} steps`);
    } finally {
      opt.dispose();
    }
  } finally {
    module.dispose();
  }
}

// -------------------------------------------------------------------------------------- loss cases

function runLossCase(fx: Fixture, rec: ParityRecorder): void {
  const reduction = fx.config.options.reduction as 'mean' | 'sum' | 'none';
  const lossModule =
    fx.config.module === 'BCEWithLogitsLoss' ? new nn.BCEWithLogitsLoss({ reduction }) : new nn.CrossEntropyLoss({ reduction });
  try {
    tidy(() => {
      const input = toTensor(fixtureTensor(fx.inputs.input, 'input'), { requiresGrad: true });
      const target = toTensor(fixtureTensor(fx.inputs.target, 'target'));
      const out = lossModule.forward(input, target);
      rec.checkTensor('output', out, fx.expected.outputs!.output);
      const scalar = fx.lossWeights ? out.mul(toTensor(fx.lossWeights.output)).sum() : out;
      rec.checkScalar('loss', scalar.item() as number, fx.expected.loss);
      scalar.backward();
      if (input.grad === null) throw new Error(`${fx.name}: input.grad is null after backward()`);
      rec.checkTensor('input grad', input.grad, fx.expected.inputGrad!);
    });
  } finally {
    lossModule.dispose();
  }
}

// ------------------------------------------------------------------------------------ optim cases

function runOptimCase(fx: Fixture, rec: ParityRecorder): void {
  const module = buildModule(fx.config) as nn.Linear;
  try {
    checkNames(rec, module, fx.params!);
    loadParams(module, fx.params!);
    module.to(DEVICE);
    const opt = buildOptimizer(fx.optimizer!, module.parameters());
    try {
      const cfg = fx.optimizer!;
      // one scope for all steps, so nothing the optimizer creates in step 1 is freed before step 2
      tidy(() => {
        const x = toTensor(fixtureTensor(fx.inputs.input, 'input'));
        const negTarget = toTensor(fixtureTensor(fx.inputs.target, 'target')).mul(-1);
        for (let step = 0; step < cfg.steps; step++) {
          opt.zeroGrad();
          const d = module.forward(x).add(negTarget);
          const loss = d.mul(d).sum();
          loss.backward();
          rec.checkScalar(`loss step ${step + 1}`, loss.item() as number, fx.expected.losses![step]);
          checkGrads(rec, module, fx.expected.gradsPerStep![step], `grad step ${step + 1}`);
          opt.step();
          checkParams(rec, module, fx.expected.paramsPerStep![step], `${cfg.kind} step ${step + 1}`);
        }
      });
    } finally {
      opt.dispose();
    }
  } finally {
    module.dispose();
  }
}

// ------------------------------------------------------------------------------------ model cases

function runTutorial2Small(fx: Fixture, rec: ParityRecorder): void {
  const [vocab, emb, hidden, pad] = fx.config.args as number[];
  const model = new Tutorial2Small(vocab, emb, hidden, pad);
  try {
    checkNames(rec, model, fx.params!);
    loadParams(model, fx.params!);
    model.to(DEVICE);
    const opt = buildOptimizer(fx.optimizer!, model.parameters());
    const crit = new nn.BCEWithLogitsLoss();
    try {
      const losses: number[] = [];
      tidy(() => {
        const text = toTensor(fixtureTensor(fx.inputs.text, 'text'));
        const labels = toTensor(fixtureTensor(fx.inputs.labels, 'labels'));
        const lengths = fx.inputs.lengths as number[];
        for (let step = 0; step < fx.optimizer!.steps; step++) {
          opt.zeroGrad();
          const logits = model.forward(text, lengths);
          const loss = crit.forward(logits, labels);
          loss.backward();
          losses.push(loss.item() as number);
          if (step === 0) {
            rec.checkTensor('logits', logits, fx.expected.outputs!.logits);
            rec.checkScalar('loss', loss.item() as number, fx.expected.loss);
            checkGrads(rec, model, fx.expected.grads!);
          }
          opt.step();
        }
      });
      rec.check('loss per step', losses, fx.expected.losses!);
      checkParams(rec, model, fx.expected.paramsAfter!, `after ${fx.optimizer!.steps} Adam steps`);
    } finally {
      crit.dispose();
      opt.dispose();
    }
  } finally {
    model.dispose();
  }
}

/** Summaries of a 2.6M-parameter model: sums in double, `sum` held to rtol * absSum (it cancels). */
function checkSummary(rec: ParityRecorder, what: string, actual: Summary, expected: Summary, rtol = RTOL): void {
  rec.checkScalar(`${what} sum`, actual.sum, expected.sum, { rtol: 0, atol: rtol * expected.absSum + ATOL });
  rec.checkScalar(`${what} sumSq`, actual.sumSq, expected.sumSq, { rtol });
  rec.checkScalar(`${what} absSum`, actual.absSum, expected.absSum, { rtol });
  rec.check(`${what} values`, actual.values, expected.values, { rtol });
}

function runTutorial1Full(fx: Fixture, rec: ParityRecorder): void {
  const [vocab, emb, hid, out] = fx.config.args as number[];
  // The shipped model itself, so the parity suite covers what the tutorial runs.
  const model = new models.RNNClassifier(vocab, emb, hid, out);
  try {
    const count = model.parameters().reduce((n, p) => n + p.numel, 0);
    expect(count).toBe(fx.paramCount);
    checkNames(rec, model, fx.init!.params);
    const indices = new Map(fx.indices!);

    // Weights from the formula, checked against PyTorch's own init summary (exact: same float32 values).
    const init = new Map<string, Float32Array>();
    const sd: Record<string, Tensor> = {};
    for (const [name, shape, k, scale] of fx.init!.params) {
      const data = formulaValues(shape.reduce((a, b) => a * b, 1), k, scale);
      init.set(name, data);
      sd[name] = tensor(data, { shape, dtype: 'float32' });
    }
    for (const [name, , want] of fx.expected.initSummary!) {
      const got = summarize(init.get(name)!, indices.get(name)!);
      // the fixture's 9 significant digits name the float32 value exactly
      expect(got.values).toEqual(want.values.map(Math.fround));
      checkSummary(rec, `init ${name}`, got, want, 1e-10);
    }
    try {
      model.loadStateDict(sd, { strict: true });
    } finally {
      for (const t of Object.values(sd)) t.dispose();
    }
    model.to(DEVICE);

    const opt = new optim.SGD(model.parameters(), { lr: fx.optimizer!.lr });
    const crit = new nn.BCEWithLogitsLoss();
    try {
      const losses: number[] = [];
      tidy(() => {
        const text = toTensor(fixtureTensor(fx.inputs.text, 'text'));
        const labels = toTensor(fixtureTensor(fx.inputs.labels, 'labels'));
        for (let step = 0; step < fx.optimizer!.steps; step++) {
          opt.zeroGrad();
          const logits = model.forward(text).squeeze(1);
          const loss = crit.forward(logits, labels);
          loss.backward();
          losses.push(loss.item() as number);
          if (step === 0) {
            rec.checkTensor('logits', logits, fx.expected.outputs!.logits);
            rec.checkScalar('loss', loss.item() as number, fx.expected.loss);
            const params = new Map(model.namedParameters());
            for (const [name, , want] of fx.expected.gradSummary!) {
              const g = params.get(name)!.grad;
              if (g === null) throw new Error(`${name}.grad is null after backward()`);
              checkSummary(rec, `grad ${name}`, summarize(values(g), indices.get(name)!), want);
            }
          }
          opt.step();
        }
      });
      rec.check('loss per step', losses, fx.expected.losses!);

      const params = new Map(model.namedParameters());
      const deltas = new Map(fx.expected.paramsDeltaSummary!.map(([n, , s]) => [n, s]));
      for (const [name, , want] of fx.expected.paramsAfterSummary!) {
        const after = values(params.get(name)!);
        const idx = indices.get(name)!;
        checkSummary(rec, `after ${name}`, summarize(after, idx), want);
        // The update itself (after - init), far smaller than the weights: each element may differ from
        // PyTorch by RTOL of the update plus two float32 rounding steps of the weight.
        const before = init.get(name)!;
        const d = Float64Array.from(after, (v, i) => v - before[i]);
        const tol = Float64Array.from(d, (v, i) => RTOL * Math.abs(v) + 2 * ulp32(after[i]));
        const dWant = deltas.get(name)!;
        const dGot = summarize(d, idx);
        const tolSum = tol.reduce((a, b) => a + b, 0);
        rec.checkScalar(`update ${name} sum`, dGot.sum, dWant.sum, { rtol: 0, atol: tolSum });
        rec.checkScalar(`update ${name} absSum`, dGot.absSum, dWant.absSum, { rtol: 0, atol: tolSum });
        rec.check(`update ${name} values`, dGot.values, dWant.values, { tolerance: idx.map((i) => tol[i]) });
      }
    } finally {
      crit.dispose();
      opt.dispose();
    }
  } finally {
    model.dispose();
  }
}

// ------------------------------------------------------------------------------------------- suite

function runCase(fx: Fixture, rec: ParityRecorder): void {
  switch (fx.kind) {
    case 'module':
      return runModuleCase(fx, rec);
    case 'loss':
      return runLossCase(fx, rec);
    case 'optim':
      return runOptimCase(fx, rec);
    case 'model':
      if (fx.name === 'model_tutorial2_small') return runTutorial2Small(fx, rec);
      if (fx.name === 'model_tutorial1_full') return runTutorial1Full(fx, rec);
  }
  throw new Error(`no runner for fixture ${fx.name} (kind ${fx.kind})`);
}

describe(`PyTorch parity on ${DEVICE} (rtol ${RTOL}, atol ${ATOL})`, () => {
  afterAll(() => printReport('parity'));

  for (const name of fixtureNames()) {
    test(name, () => {
      const fx = loadFixture(name);
      const rec = new ParityRecorder(name);
      const live = liveTensors();
      runCase(fx, rec);
      recordCase(name, fx.description, rec.errors);
      expect(liveTensors()).toBe(live);
    });
  }
});
