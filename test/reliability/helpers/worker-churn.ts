// Run as `node -r ./scripts/register-ts.js worker-churn.ts <rounds> <seed>`: starts worker threads that
// run tight loops of tensor ops (including ones that throw, so the native error path is hot too) and
// terminates them at random moments, `rounds` times, some while the worker is still loading the addon.
// Exits 0 and prints one JSON line when the process survived; a native abort ends it with its signal.
import * as path from 'path';
import { Worker } from 'worker_threads';

const root = path.resolve(__dirname, '..', '..', '..');
const register = path.join(root, 'scripts', 'register-ts.js');

const body = `
const { parentPort } = require('worker_threads');
const { tensor, zeros, cat } = require(${JSON.stringify(path.join(root, 'lib', 'factories.ts'))});
const { tidy } = require(${JSON.stringify(path.join(root, 'lib', 'scope.ts'))});
const a = tensor(Float32Array.from({ length: 4096 }, (_, i) => (i % 13) / 13), { shape: [64, 64] });
parentPort.postMessage('busy');
for (let i = 0; ; i++) {
  tidy(() => {
    const b = a.matmul(a).add(1).index({ start: 1, stop: 40, step: 3 }, null);
    b.toTypedArray();
    cat([b, zeros([1, 64])]).sum().item();
    try { a.matmul(zeros([3, 5])); } catch (e) { if (!(e instanceof Error)) throw e; }
    try { a.view([7]); } catch (e) { if (!(e instanceof Error)) throw e; }
    String(a.index(0, { start: 0, stop: 4 }));
  });
}
`;

function start(): Worker {
  return new Worker(body, { eval: true, execArgv: ['-r', register] });
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 50);
  let seed = Number(process.argv[3] ?? 1);
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let terminated = 0;
  let busy = 0;
  let early = 0;
  const parallel = 4;
  const run = async (): Promise<void> => {
    const w = start();
    const errors: unknown[] = [];
    w.on('error', (e) => errors.push(e));
    // One in five is terminated while it may still be loading; the rest once their loop runs.
    if (random() < 0.2) {
      await new Promise((r) => setTimeout(r, random() * 200));
      early++;
    } else {
      await new Promise((r) => w.once('message', r));
      busy++;
      await new Promise((r) => setTimeout(r, random() * 40));
    }
    await w.terminate();
    if (errors.length) throw errors[0];
    terminated++;
  };
  for (let i = 0; i < rounds; i += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, rounds - i) }, run));
  }
  const { ones } = await import('../../../lib/factories');
  console.log(JSON.stringify({ rounds, terminated, busy, early, after: ones([2, 2]).sum().item() }));
}

main().catch((e) => {
  console.error(e);
  process.exit(3);
});
