// The addon in worker threads: several threads each load it and compute at the same time (its tensor
// table is per Node environment; the random generator is process-wide, as libtorch's), and terminating a worker in the middle of a libtorch op must not take
// the process down. The terminate case runs in a child process, so a native abort fails this test
// (with its exit status and stderr) instead of killing Jest.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

const script = String.raw`
const { Worker } = require('worker_threads');
const lib = ${JSON.stringify(path.join(root, 'lib', 'index.ts'))};
const register = ${JSON.stringify(path.join(root, 'scripts', 'register-ts.js'))};
const body = (mode) => ${'`'}
  const t = require(${'${JSON.stringify(lib)}'});
  const { parentPort, workerData } = require('worker_threads');
  // Data from the seed, not libtorch's generator: that one is process-wide, shared by all threads.
  const data = Float32Array.from({ length: 90000 }, (_, i) => ((i * (workerData.seed + 3)) % 17) / 17 - 0.5);
  const a = t.tensor(data, { shape: [300, 300] });
  if (workerData.mode === 'compute') {
    let s = 0;
    for (let i = 0; i < 30; i++) t.tidy(() => { s += a.matmul(a).sum().item(); });
    parentPort.postMessage({ sum: s, live: t.liveTensors() });
  } else {
    parentPort.postMessage('busy');
    for (;;) { const b = a.matmul(a); b.dispose(); }
  }
${'`'};
function start(mode, seed) {
  return new Worker(body(mode), { eval: true, execArgv: ['-r', register], workerData: { mode, seed } });
}
(async () => {
  // 1. four threads compute concurrently; the same seed gives the same result in every thread
  const results = await Promise.all([1, 1, 2, 2].map((seed) => new Promise((res, rej) => {
    const w = start('compute', seed);
    w.once('message', (m) => { res(m); w.terminate(); });
    w.once('error', rej);
  })));
  console.log(JSON.stringify({ compute: results }));
  // 2. terminate threads in the middle of their matmuls, at different moments
  let terminated = 0;
  for (let i = 0; i < 8; i++) {
    const w = start('busy', i);
    await new Promise((res, rej) => { w.once('message', res); w.once('error', rej); });
    await new Promise((r) => setTimeout(r, 5 + i * 23));
    await w.terminate();
    terminated++;
  }
  // 3. the main thread still uses the addon afterwards
  const t = require(lib);
  console.log(JSON.stringify({ terminated, after: t.ones([2, 2]).sum().item() }));
})().catch((e) => { console.error(e); process.exit(3); });
`;

test('the addon in worker threads: concurrent use, and terminate() mid-op leaves the process alive', () => {
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts', 'register-ts.js'), '-e', script], { encoding: 'utf8', timeout: 110_000 });
  if (r.status !== 0) throw new Error(`the child process ended with status ${r.status} signal ${r.signal}:\n${r.stderr}\n${r.stdout}`);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const { compute } = lines[0] as { compute: Array<{ sum: number; live: number }> };
  expect(compute).toHaveLength(4);
  expect(compute[0].sum).toBe(compute[1].sum); // seed 1 in two threads
  expect(compute[2].sum).toBe(compute[3].sum); // seed 2 in two threads
  expect(compute[0].sum).not.toBe(compute[2].sum);
  expect(compute.every((c) => c.live === 1)).toBe(true); // each thread counts only its own tensors
  expect(lines[1]).toEqual({ terminated: 8, after: 4 });
});
