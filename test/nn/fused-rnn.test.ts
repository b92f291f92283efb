// The fused CPU Elman RNN (native/rnn_cpu.cc) against libtorch's own step-by-step CPU RNN: same outputs,
// final states and gradients (input, initial state, every weight) to float rounding, for tanh and relu,
// 1-3 layers, uni- and bidirectional, batchFirst, with and without an initial state, dropout between
// layers (same seed, same mask). The PyTorch parity suite (parity.test.ts) checks
// the fused path against PyTorch's own numbers; this test pins it to libtorch's implementation over many
// more shapes, and checks the switch itself.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { backends, manualSeed, nn, randn, Tensor, tidy, liveTensors, noGrad, DType } from '../../lib';
import { maxRelError } from '../helpers/fused';

interface Run { output: Float64Array; hN: Float64Array; grads: Float64Array[] }

function run(fused: boolean, make: () => { rnn: nn.RNN; x: Tensor; h0?: Tensor }, seed: number): Run {
  const previous = backends.setFusedCpuRnn(fused);
  try {
    return tidy(() => {
      manualSeed(seed);
      const { rnn, x, h0 } = make();
      manualSeed(seed + 1); // dropout masks
      const [out, hN] = rnn.forward(x, h0);
      // A loss that weighs every output position and the final state differently.
      const w = tidy(() => {
        manualSeed(7);
        return randn(out.shape, { dtype: out.dtype });
      });
      const loss = out.mul(w).sum().add(hN.pow(2).sum());
      loss.backward();
      const grads = [x, ...(h0 ? [h0] : []), ...rnn.parameters()].map((t) => Float64Array.from(t.grad!.toTypedArray() as Float32Array));
      const r = { output: Float64Array.from(out.toTypedArray() as Float32Array), hN: Float64Array.from(hN.toTypedArray() as Float32Array), grads };
      rnn.dispose();
      return r;
    });
  } finally {
    backends.setFusedCpuRnn(previous);
  }
}

const cases: Array<{ name: string; T: number; B: number; I: number; H: number; opts: nn.RNNOptions; h0: boolean; dtype: DType }> = [];
for (const nonlinearity of ['tanh', 'relu'] as const) {
  for (const numLayers of [1, 2, 3]) {
    for (const bidirectional of [false, true]) {
      cases.push({ name: `${nonlinearity} L${numLayers}${bidirectional ? ' bi' : ''}`, T: 9, B: 4, I: 5, H: 7, opts: { nonlinearity, numLayers, bidirectional }, h0: numLayers === 2, dtype: 'float32' });
    }
  }
}
cases.push({ name: 'batchFirst bi L2 with h0', T: 6, B: 3, I: 4, H: 5, opts: { batchFirst: true, bidirectional: true, numLayers: 2 }, h0: true, dtype: 'float32' });
cases.push({ name: 'dropout 0.5 L3', T: 7, B: 5, I: 4, H: 6, opts: { numLayers: 3, dropout: 0.5 }, h0: false, dtype: 'float32' });
cases.push({ name: 'one step', T: 1, B: 2, I: 3, H: 4, opts: {}, h0: true, dtype: 'float32' });
cases.push({ name: 'tutorial size (100 -> 256, 50 steps)', T: 50, B: 16, I: 100, H: 256, opts: {}, h0: false, dtype: 'float32' });
// Batches up to 15 take native/small_gemm.cc's kernel for the recurrent product: every row-block shape
// (6 + 1 rows) and a hidden size with vector and scalar column tails (37 = 4 x 8 + 5).
cases.push({ name: 'tutorial size, batch 7 (small-batch kernel)', T: 50, B: 7, I: 100, H: 256, opts: {}, h0: true, dtype: 'float32' });
cases.push({ name: 'batch 15, hidden 37, bi (small-batch kernel)', T: 12, B: 15, I: 9, H: 37, opts: { bidirectional: true }, h0: true, dtype: 'float32' });

describe('fused CPU RNN matches libtorch step by step', () => {
  test.each(cases)('$name', ({ T, B, I, H, opts, h0, dtype }) => {
    const before = liveTensors();
    const make = () => {
      const rnn = new nn.RNN(I, H, opts);
      const xs = opts.batchFirst ? [B, T, I] : [T, B, I];
      const dirs = opts.bidirectional ? 2 : 1;
      const x = randn(xs, { dtype }).requiresGrad_();
      const hx = h0 ? randn([(opts.numLayers ?? 1) * dirs, B, H], { dtype }).requiresGrad_() : undefined;
      return { rnn, x, h0: hx };
    };
    const fused = run(true, make, 11);
    const aten = run(false, make, 11);
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    expect(maxRelError(fused.output, aten.output)).toBeLessThan(tol);
    expect(maxRelError(fused.hN, aten.hN)).toBeLessThan(tol);
    expect(fused.grads.length).toBe(aten.grads.length);
    fused.grads.forEach((g, i) => expect(maxRelError(g, aten.grads[i])).toBeLessThan(tol));
    expect(liveTensors()).toBe(before);
  });

  test('the switch returns the previous value and defaults to on', () => {
    expect(backends.setFusedCpuRnn(false)).toBe(true);
    expect(backends.setFusedCpuRnn(true)).toBe(false);
    expect(() => backends.setFusedCpuRnn('yes' as unknown as boolean)).toThrow(/on/);
  });

  test('the switch is per environment: worker threads hold their own, and none leaks into another', async () => {
    // Two workers at once, in a fixed order (a shared flag): A turns its switch off; then B, started
    // with the default, reads its own; then A reads its own again.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const a = inWorker(flag, `
      const first = torch.backends.setFusedCpuRnn(false);
      Atomics.store(flag, 0, 1); Atomics.notify(flag, 0);
      Atomics.wait(flag, 0, 1);
      return { first, later: torch.backends.setFusedCpuRnn(false) };
    `);
    const b = inWorker(flag, `
      Atomics.wait(flag, 0, 0);
      const first = torch.backends.setFusedCpuRnn(true);
      Atomics.store(flag, 0, 2); Atomics.notify(flag, 0);
      return { first };
    `);
    expect(await Promise.all([a, b])).toEqual([{ first: true, later: false }, { first: true }]);
    // Neither worker's setting reached this thread.
    expect(backends.setFusedCpuRnn(true)).toBe(true);
  });

  test('inference without gradients and bad input give the same results and errors as libtorch', () => {
    tidy(() => {
      manualSeed(3);
      const rnn = new nn.RNN(4, 3);
      const x = randn([5, 2, 4]);
      const a = noGrad(() => rnn.forward(x)[0].toTypedArray());
      backends.setFusedCpuRnn(false);
      const b = noGrad(() => rnn.forward(x)[0].toTypedArray());
      backends.setFusedCpuRnn(true);
      expect(maxRelError(Float64Array.from(a as Float32Array), Float64Array.from(b as Float32Array))).toBeLessThan(1e-6);
      expect(() => rnn.forward(randn([5, 2, 3]))).toThrow(/input_size/);
      expect(() => rnn.forward(x, randn([1, 3, 3]))).toThrow(/hidden size/);
      rnn.dispose();
    });
  });
});

/** Runs `body` (a function body that returns a value) in a worker thread with the library loaded as `torch`. */
function inWorker(flag: Int32Array, body: string): Promise<unknown> {
  const root = path.resolve(__dirname, '..', '..');
  const source = `
    const { parentPort, workerData } = require('worker_threads');
    require(workerData.register);
    const torch = require(workerData.lib);
    const flag = workerData.flag;
    parentPort.postMessage((() => { ${body} })());`;
  const worker = new Worker(source, { eval: true, workerData: { register: path.join(root, 'scripts', 'register-ts.js'), lib: path.join(root, 'lib'), flag } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
  }).finally(() => worker.terminate());
}

