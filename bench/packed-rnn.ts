// A training step (forward and backward) of an Elman RNN on a packed batch, the fused CPU driver
// (native/gated_rnn_cpu.cc's FusedElmanLayer) against libtorch's own packed RNN, which PyTorch runs: the
// same module, input, lengths and loss in one process, process CPU time per step (one thread runs, so
// CPU time is the time it ran, steadier than wall time on a shared host), and the largest difference of
// the gradients between the two paths.
//
// Run: node -r ./scripts/register-ts.js bench/packed-rnn.ts [--len 230] [--batch 64] [--hidden 256]
//        [--layers 1] [--bidirectional] [--reps 3]
import { backends, manualSeed, nn, randn, setBlasThreads, setFlushDenormal, setNumThreads, tidy, tuneAllocator } from '../lib';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const T = arg('len', 230);
const B = arg('batch', 64);
const H = arg('hidden', 256);
const layers = arg('layers', 1);
const reps = arg('reps', 3);
const bidirectional = args.includes('--bidirectional');

tuneAllocator();
setFlushDenormal(true);
setNumThreads(1);
setBlasThreads(1);

manualSeed(1);
const rnn = new nn.RNN(100, H, { numLayers: layers, bidirectional });
const x = randn([T, B, 100]);
// Lengths from T/2 to T, longest first, as BucketIterator's batches.
const lengths = Array.from({ length: B }, (_, i) => T - Math.floor((i * T) / (2 * B)));

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function step(fused: boolean): { ms: number; grads: Float32Array[] } {
  const previous = backends.setFusedCpuRnn(fused);
  try {
    return tidy(() => {
      rnn.zeroGrad();
      const t0 = cpuMs();
      const [out, hN] = rnn.forward(nn.packPaddedSequence(x, lengths));
      out.data.mean().add(hN.pow(2).mean()).backward();
      const ms = cpuMs() - t0;
      return { ms, grads: rnn.parameters().map((p) => p.grad!.toTypedArray() as Float32Array) };
    });
  } finally {
    backends.setFusedCpuRnn(previous);
  }
}

const fused: number[] = [];
const aten: number[] = [];
let maxRel = 0;
step(true); // warm-up
for (let r = 0; r < reps; r++) {
  const a = step(true);
  const b = step(false);
  fused.push(a.ms);
  aten.push(b.ms);
  a.grads.forEach((g, i) => {
    let scale = 0;
    let err = 0;
    for (let k = 0; k < g.length; k++) {
      scale = Math.max(scale, Math.abs(b.grads[i][k]));
      err = Math.max(err, Math.abs(g[k] - b.grads[i][k]));
    }
    maxRel = Math.max(maxRel, err / scale);
  });
}
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
console.log(`packed nn.RNN(100, ${H}${layers > 1 ? `, ${layers} layers` : ''}${bidirectional ? ', bidirectional' : ''}), [${T}, ${B}], lengths ${lengths[B - 1]}-${T}; forward + backward, CPU ms per step (${reps} alternating reps):`);
console.log(`  fused driver        ${fused.map((v) => v.toFixed(0)).join(' / ')}  (median ${median(fused).toFixed(0)})`);
console.log(`  libtorch's packed   ${aten.map((v) => v.toFixed(0)).join(' / ')}  (median ${median(aten).toFixed(0)})`);
console.log(`  ratio ${(median(fused) / median(aten)).toFixed(3)}; gradients' largest difference, relative to each one's largest value: ${maxRel.toExponential(2)}`);
