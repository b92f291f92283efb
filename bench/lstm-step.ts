// Training steps of tutorial 2's model (Embedding 25,002x100 -> 2-layer bidirectional LSTM 256 on packed
// sequences -> Linear, dropout 0.5, Adam, BCEWithLogits) on one [T, 64] batch, in torch-sentiment and in
// PyTorch from Python (bench/lstm_step.py), side by side: the same initial weights (our state dict,
// loaded there), the same token ids, lengths and labels, the same seed before each step (so the same
// dropout masks), and the same settings on both sides: denormals flushed, one intra-op thread, OpenBLAS
// on one thread and the same kernels, glibc's mmap/trim thresholds raised (tuneAllocator()'s values).
// Each step prints its time by phase (forward with the loss, backward, Adam), its process CPU time (the
// steadier figure when other jobs share the cores: one thread runs, so CPU time is the time it ran) and
// its loss to 6 decimals: the first loss checks the forward, the second (after one Adam step) the
// gradients.
//
// Run: node -r ./scripts/register-ts.js bench/lstm-step.ts [--len 230] [--batch 64] [--steps 2]
//        [--aten] (libtorch's own CPU LSTM instead of the fused one) [--no-python]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addonInfo, backends, manualSeed, models, nn, optim, save, setBlasThreads, setFlushDenormal, setNumThreads, tensor, tidy, tuneAllocator } from '../lib';
import { chooseOpenblasCoretype } from '../lib/openblas';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const T = arg('len', 230);
const B = arg('batch', 64);
const steps = arg('steps', 2);
const VOCAB = 25002;
const PAD = 1;

tuneAllocator();
setFlushDenormal(true);
setNumThreads(1);
setBlasThreads(1);
if (args.includes('--aten')) backends.setFusedCpuRnn(false);

// The batch: lengths from T/2 to T (the longest exactly T), sorted longest first as BucketIterator's
// batches are, random token ids, padding after each sequence's end. A fixed LCG, not the torch generator.
let state = 12345;
const rnd = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 2 ** 32;
};
const lengths = Array.from({ length: B }, (_, b) => (b === 0 ? T : Math.max(1, Math.floor(T / 2 + rnd() * (T - T / 2 + 1)))));
lengths.sort((a, b) => b - a);
const ids = new Int32Array(T * B);
for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) ids[t * B + b] = t < lengths[b] ? 2 + Math.floor(rnd() * (VOCAB - 2)) : PAD;
const labels = Array.from({ length: B }, () => (rnd() < 0.5 ? 0 : 1));

manualSeed(1234);
const model = models.createModel(models.defaultConfig('lstm', VOCAB, PAD)) as models.LSTMClassifier;
model.train();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lstm-step-'));
save(model.stateDict(), path.join(tmp, 'model.pt'));
fs.writeFileSync(path.join(tmp, 'ids.bin'), Buffer.from(ids.buffer));
fs.writeFileSync(path.join(tmp, 'batch.json'), JSON.stringify({ T, B, lengths, labels, steps, vocab: VOCAB, pad: PAD }));

const optimizer = new optim.Adam(model.parameters());
const criterion = new nn.BCEWithLogitsLoss();
const text = tensor(ids, { dtype: 'int64' }).reshape([T, B]);
const lens = tensor(Int32Array.from(lengths), { dtype: 'int64' });
const label = tensor(Float32Array.from(labels));

interface Step { forward: number; backward: number; adam: number; total: number; cpu: number; loss: number }
const ours: Step[] = [];
for (let s = 0; s < steps; s++) {
  manualSeed(100 + s);
  ours.push(
    tidy(() => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(text, lens).squeeze(1), label);
      const t1 = performance.now();
      loss.backward();
      const t2 = performance.now();
      optimizer.step();
      const t3 = performance.now();
      const c = process.cpuUsage(c0);
      return { forward: t1 - t0, backward: t2 - t1, adam: t3 - t2, total: t3 - t0, cpu: (c.user + c.system) / 1000, loss: loss.item() as number };
    }),
  );
}

let theirs: Step[] | null = null;
let pyInfo = '';
if (!args.includes('--no-python')) {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };
  delete env.OPENBLAS_CORETYPE;
  chooseOpenblasCoretype(env);
  if (process.env.OPENBLAS_CORETYPE !== undefined) env.OPENBLAS_CORETYPE = process.env.OPENBLAS_CORETYPE;
  const out = execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [path.join(__dirname, 'lstm_step.py'), tmp], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const r = JSON.parse(out.trim().split('\n').pop() as string);
  theirs = r.steps;
  pyInfo = `PyTorch ${r.version}, ${r.threads} thread(s), OpenBLAS ${r.blas}`;
}
fs.rmSync(tmp, { recursive: true, force: true });

console.log(`lstm-step: [${T}, ${B}] batch (lengths ${lengths[B - 1]}-${lengths[0]}), ${args.includes('--aten') ? "libtorch's CPU LSTM" : 'fused CPU LSTM'}; ours: OpenBLAS ${addonInfo.blas.core}${pyInfo ? `; ${pyInfo}` : ''}`);
console.log('| step | side | forward+loss (ms) | backward (ms) | Adam (ms) | total (s) | process CPU (s) | loss |');
console.log('|---:|---|---:|---:|---:|---:|---:|---|');
const row = (s: number, side: string, r: Step) =>
  console.log(`| ${s + 1} | ${side} | ${r.forward.toFixed(0)} | ${r.backward.toFixed(0)} | ${r.adam.toFixed(0)} | ${(r.total / 1000).toFixed(2)} | ${(r.cpu / 1000).toFixed(2)} | ${r.loss.toFixed(6)} |`);
for (let s = 0; s < steps; s++) {
  row(s, 'torch-sentiment', ours[s]);
  if (theirs) row(s, 'PyTorch', theirs[s]);
}
