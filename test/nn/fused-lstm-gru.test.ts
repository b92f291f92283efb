// The fused CPU LSTM and GRU, and the packed Elman RNN (native/gated_rnn_cpu.cc), against libtorch's own step-by-step CPU ones: same
// outputs, final states (hN, and the LSTM's cN) and gradients (input, initial states, every weight) to
// float rounding, on dense and packed input: 1-3 layers, uni- and bidirectional, batchFirst, with and
// without initial states, sorted and unsorted lengths, sequences of one step, equal lengths, dropout
// between layers (same seed, same mask).
// The PyTorch parity suite (parity.test.ts) checks the fused path against PyTorch's own numbers; this
// test pins it to libtorch's implementation over many more shapes.
import { manualSeed, nn, randn, Tensor, tidy, liveTensors, noGrad } from '../../lib';
import { maxRelError, withFused } from '../helpers/fused';

interface Run { output: Float64Array; hN: Float64Array; cN: Float64Array | null; grads: Float64Array[] }

interface Case {
  name: string;
  kind: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';
  T: number;
  B: number;
  I: number;
  H: number;
  opts: Omit<nn.RNNOptions, 'nonlinearity'>;
  states: boolean;
  /** Packed input with these lengths (one per sequence), or dense input when absent. */
  lengths?: number[];
  enforceSorted?: boolean;
}

const f64 = (t: Tensor) => Float64Array.from(t.toTypedArray() as Float32Array);

function run(fused: boolean, c: Case, seed: number): Run {
  return withFused(fused, () =>
    tidy(() => {
      manualSeed(seed);
      const module =
        c.kind === 'lstm' ? new nn.LSTM(c.I, c.H, c.opts)
        : c.kind === 'gru' ? new nn.GRU(c.I, c.H, c.opts)
        : new nn.RNN(c.I, c.H, { ...c.opts, nonlinearity: c.kind === 'rnn_relu' ? 'relu' : 'tanh' });
      const dirs = c.opts.bidirectional ? 2 : 1;
      const x = randn(c.opts.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I]).requiresGrad_();
      const stateShape = [(c.opts.numLayers ?? 1) * dirs, c.B, c.H];
      const states = c.states ? Array.from({ length: c.kind === 'lstm' ? 2 : 1 }, () => randn(stateShape).requiresGrad_()) : [];
      manualSeed(seed + 1); // dropout masks
      const input = c.lengths ? nn.packPaddedSequence(x, c.lengths, { batchFirst: c.opts.batchFirst, enforceSorted: c.enforceSorted ?? false }) : x;
      let out: Tensor | nn.PackedSequence;
      let hN: Tensor;
      let cN: Tensor | null = null;
      if (module instanceof nn.LSTM) {
        const [o, [h, cc]] = module.forward(input as Tensor, c.states ? [states[0], states[1]] : undefined);
        [out, hN, cN] = [o, h, cc];
      } else {
        [out, hN] = (module as nn.GRU | nn.RNN).forward(input as Tensor, states[0]);
      }
      const output = out instanceof nn.PackedSequence ? out.data : out;
      // A loss that weighs every output position and the final states differently.
      const w = tidy(() => {
        manualSeed(7);
        return randn(output.shape);
      });
      let loss = output.mul(w).sum().add(hN.pow(2).sum());
      if (cN) loss = loss.add(cN.mul(0.5).tanh().sum());
      loss.backward();
      const grads = [x, ...states, ...module.parameters()].map((t) => f64(t.grad!));
      const r = { output: f64(output), hN: f64(hN), cN: cN && f64(cN), grads };
      module.dispose();
      return r;
    }),
  );
}

const cases: Case[] = [];
// The Elman RNN's packed input runs in the same driver (its dense input in rnn_cpu.cc, also covered here).
for (const kind of ['lstm', 'gru', 'rnn_tanh', 'rnn_relu'] as const) {
  const add = (c: Omit<Case, 'kind' | 'name'> & { name: string }) => cases.push({ ...c, kind, name: `${kind} ${c.name}` });
  for (const numLayers of [1, 2, 3]) {
    for (const bidirectional of [false, true]) {
      const base = { T: 9, B: 5, I: 5, H: 7, opts: { numLayers, bidirectional }, states: numLayers === 2 };
      add({ name: `dense L${numLayers}${bidirectional ? ' bi' : ''}`, ...base });
      add({ name: `packed unsorted L${numLayers}${bidirectional ? ' bi' : ''}`, ...base, lengths: [4, 9, 1, 7, 4] });
    }
  }
  add({ name: 'packed sorted bi with states', T: 6, B: 4, I: 3, H: 5, opts: { bidirectional: true }, states: true, lengths: [6, 5, 2, 1], enforceSorted: true });
  add({ name: 'packed equal lengths bi L2', T: 5, B: 3, I: 4, H: 6, opts: { bidirectional: true, numLayers: 2 }, states: true, lengths: [5, 5, 5] });
  add({ name: 'packed one step each', T: 1, B: 3, I: 4, H: 3, opts: { bidirectional: true }, states: true, lengths: [1, 1, 1] });
  add({ name: 'packed one sequence', T: 4, B: 1, I: 2, H: 3, opts: { bidirectional: true, numLayers: 2 }, states: false, lengths: [4] });
  add({ name: 'packed batchFirst bi L2 with states', T: 6, B: 4, I: 4, H: 5, opts: { batchFirst: true, bidirectional: true, numLayers: 2 }, states: true, lengths: [3, 6, 2, 6] });
  add({ name: 'dense batchFirst bi L2 with states', T: 6, B: 3, I: 4, H: 5, opts: { batchFirst: true, bidirectional: true, numLayers: 2 }, states: true });
  add({ name: 'dense one step', T: 1, B: 2, I: 3, H: 4, opts: {}, states: true });
  add({ name: 'dense dropout 0.5 L3 bi', T: 7, B: 5, I: 4, H: 6, opts: { numLayers: 3, dropout: 0.5, bidirectional: true }, states: false });
  add({ name: 'packed dropout 0.5 L2 bi', T: 7, B: 5, I: 4, H: 6, opts: { numLayers: 2, dropout: 0.5, bidirectional: true }, states: true, lengths: [7, 3, 5, 1, 6] });
  add({ name: 'tutorial 2 shape (100 -> 64, packed, bi L2, 30 steps)', T: 30, B: 16, I: 100, H: 64, opts: { numLayers: 2, bidirectional: true, dropout: 0.5 }, states: false, lengths: Array.from({ length: 16 }, (_, i) => 30 - ((i * 7) % 23)) });
  // Steps of up to 15 running sequences take native/small_gemm.cc's kernel: this batch shrinks from 20 to 1
  // across that bound, with a hidden size whose gate rows (4 x 37, 3 x 37) end in scalar columns.
  add({ name: 'packed across the small-batch bound (20 -> 1, hidden 37)', T: 24, B: 20, I: 6, H: 37, opts: { bidirectional: true }, states: true, lengths: Array.from({ length: 20 }, (_, i) => 24 - i) });
}

describe('fused CPU LSTM, GRU and Elman RNN (dense and packed) match libtorch step by step', () => {
  test.each(cases)('$name', (c) => {
    const before = liveTensors();
    const fused = run(true, c, 11);
    const aten = run(false, c, 11);
    const tol = 1e-5;
    expect(maxRelError(fused.output, aten.output)).toBeLessThan(tol);
    expect(maxRelError(fused.hN, aten.hN)).toBeLessThan(tol);
    expect(fused.cN === null).toBe(c.kind !== 'lstm');
    if (fused.cN && aten.cN) expect(maxRelError(fused.cN, aten.cN)).toBeLessThan(tol);
    expect(fused.grads.length).toBe(aten.grads.length);
    fused.grads.forEach((g, i) => expect(maxRelError(g, aten.grads[i])).toBeLessThan(tol));
    expect(liveTensors()).toBe(before);
  });

  test('only hN used: the unused outputs get no gradient and the rest still match', () => {
    const grads = (fused: boolean) =>
      withFused(fused, () =>
        tidy(() => {
          manualSeed(5);
          const lstm = new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true });
          const x = randn([5, 3, 3]).requiresGrad_();
          const [, [hN]] = lstm.forward(nn.packPaddedSequence(x, [5, 2, 4], { enforceSorted: false }));
          hN.index(-1).sum().backward();
          const r = [x, ...lstm.parameters()].map((t) => f64(t.grad!));
          lstm.dispose();
          return r;
        }),
      );
    const a = grads(true);
    const b = grads(false);
    a.forEach((g, i) => expect(maxRelError(g, b[i])).toBeLessThan(1e-5));
  });

  test('inference without gradients and bad input give the same results and errors as libtorch', () => {
    tidy(() => {
      manualSeed(3);
      const lstm = new nn.LSTM(4, 3, { bidirectional: true });
      const x = randn([5, 2, 4]);
      const outputs = (fused: boolean) =>
        withFused(fused, () =>
          noGrad(() => {
            const [o, [h, c]] = lstm.forward(nn.packPaddedSequence(x, [5, 3]));
            return [o.data, h, c].map(f64);
          }),
        );
      const a = outputs(true);
      const b = outputs(false);
      a.forEach((v, i) => expect(maxRelError(v, b[i])).toBeLessThan(1e-6));
      const gru = new nn.GRU(4, 3, { numLayers: 2 });
      const gruOutputs = (fused: boolean) =>
        withFused(fused, () =>
          noGrad(() => {
            const [o, h] = gru.forward(x);
            return [o, h].map(f64);
          }),
        );
      const ga = gruOutputs(true);
      const gb = gruOutputs(false);
      ga.forEach((v, i) => expect(maxRelError(v, gb[i])).toBeLessThan(1e-6));
      gru.dispose();
      expect(() => lstm.forward(randn([5, 2, 3]))).toThrow(/input_size/);
      expect(() => lstm.forward(x, [randn([2, 3, 3]), randn([2, 3, 3])])).toThrow(/hidden size/);
      lstm.dispose();
    });
  });

  test('the switch selects the path: each path repeats itself bit for bit, the two differ in rounding', () => {
    tidy(() => {
      manualSeed(9);
      const lstm = new nn.LSTM(16, 32, { bidirectional: true });
      const x = randn([20, 8, 16]);
      const output = (fused: boolean) =>
        withFused(fused, () => noGrad(() => f64(lstm.forward(nn.packPaddedSequence(x, Array.from({ length: 8 }, (_, i) => 20 - 2 * i)))[0].data)));
      const [a1, a2, b1, b2] = [output(true), output(true), output(false), output(false)];
      expect(a1).toEqual(a2);
      expect(b1).toEqual(b2);
      expect(a1).not.toEqual(b1);
      expect(maxRelError(a1, b1)).toBeLessThan(1e-5);
      lstm.dispose();
      // Packed Elman input too (it would fall back to libtorch's packed RNN unnoticed by the comparisons).
      const rnn = new nn.RNN(16, 32, { bidirectional: true });
      const rnnOutput = (fused: boolean) =>
        withFused(fused, () => noGrad(() => f64(rnn.forward(nn.packPaddedSequence(x, Array.from({ length: 8 }, (_, i) => 20 - 2 * i)))[0].data)));
      const [r1, r2, s1] = [rnnOutput(true), rnnOutput(true), rnnOutput(false)];
      expect(r1).toEqual(r2);
      expect(r1).not.toEqual(s1);
      expect(maxRelError(r1, s1)).toBeLessThan(1e-5);
      rnn.dispose();
    });
  });

  test('a retained graph gives the same gradients on a second backward (saved buffers left intact)', () => {
    tidy(() => {
      for (const kind of ['lstm', 'gru', 'rnn'] as const) {
        manualSeed(4);
        const module = kind === 'lstm' ? new nn.LSTM(3, 5, { bidirectional: true }) : kind === 'gru' ? new nn.GRU(3, 5, { bidirectional: true }) : new nn.RNN(3, 5, { bidirectional: true });
        const x = randn([6, 4, 3]).requiresGrad_();
        const packed = nn.packPaddedSequence(x, [6, 4, 4, 1]);
        const out = module instanceof nn.LSTM ? module.forward(packed)[0] : (module as nn.GRU | nn.RNN).forward(packed)[0];
        const loss = out.data.pow(2).sum();
        loss.backward(undefined, { retainGraph: true });
        const once = [x, ...module.parameters()].map((t) => f64(t.grad!));
        loss.backward();
        const twice = [x, ...module.parameters()].map((t) => f64(t.grad!));
        once.forEach((g, i) => expect(maxRelError(twice[i], g.map((v) => 2 * v))).toBeLessThan(1e-6));
        module.dispose();
      }
    });
  });
});
