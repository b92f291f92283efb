// Where a data-parallel step's time goes: FastText (the tutorial's, 25,002 x 100 embedding) on synthetic
// batches, per phase (forward, backward with the gradient all-reduce, optimizer step), in one process
// without DDP and in each rank of a DDP group. Run alone (1 process, no DDP):
//   node -r ./scripts/register-ts.js bench/ddp-step.ts [--batch 64] [--steps 100] [--view]
// and as 2 ranks: torch-sentiment launch --nproc-per-node 2 bench/ddp-step.ts [--batch 64] [--view]
import { distributed, manualSeed, models, nn, optim, setNumThreads, tensor, tidy } from '../lib';
import type { Tensor } from '../lib';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const batch = Number(arg('batch', '64'));
const steps = Number(arg('steps', '100'));
const view = args.includes('--view');
const modelName = arg('model', 'fasttext') as 'fasttext' | 'rnn';

async function main(): Promise<void> {
  setNumThreads(1);
  const world = Number(process.env.WORLD_SIZE ?? '1');
  if (world > 1) await distributed.initProcessGroup();
  const rank = world > 1 ? distributed.getRank() : 0;
  manualSeed(1);
  const model = models.createModel(models.defaultConfig(modelName, 25002, 1)) as nn.Module & { forward(t: Tensor): Tensor };
  const ddp = world > 1 ? new distributed.DistributedDataParallel(model, { gradientAsBucketView: view }) : null;
  const opt = modelName === 'rnn' ? new optim.SGD(model.parameters(), { lr: 1e-3 }) : new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loss = new nn.BCEWithLogitsLoss();
  const len = modelName === 'rnn' ? 230 : 460; // IMDb's mean review length (with bigrams for FastText)
  let seed = 12345 + rank;
  const rnd = (): number => (seed = (seed * 48271) % 2147483647);
  const ids = Int32Array.from({ length: len * batch }, () => rnd() % 25002);
  const labels = Float32Array.from({ length: batch }, () => rnd() % 2);
  const t = { fwd: 0, bwd: 0, step: 0, zero: 0 };
  for (let i = 0; i < steps + 10; i++) {
    tidy(() => {
      const x = tensor(ids, { shape: [len, batch], dtype: 'int64' });
      const y = tensor(labels, { dtype: 'float32' });
      const a = performance.now();
      opt.zeroGrad();
      const b = performance.now();
      const out = (ddp ? ddp.forward(x) : model.forward(x)) as Tensor;
      const l = loss.forward(out.squeeze(1), y);
      const c = performance.now();
      l.backward();
      const d = performance.now();
      opt.step();
      const e = performance.now();
      if (i >= 10) {
        t.zero += b - a;
        t.fwd += c - b;
        t.bwd += d - c;
        t.step += e - d;
      }
    });
  }
  const per = (x: number): string => (x / steps).toFixed(2);
  console.log(`${modelName} rank ${rank}/${world} batch ${batch}${view ? ' view' : ''}: ms/step zeroGrad ${per(t.zero)}, forward ${per(t.fwd)}, backward(+all-reduce) ${per(t.bwd)}, step ${per(t.step)}, total ${per(t.zero + t.fwd + t.bwd + t.step)}`);
  ddp?.dispose();
  if (world > 1) distributed.destroyProcessGroup();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
