// Per-call time of small ops in this package and in PyTorch from Python (same libtorch), side by side.
// Run: node -r ./scripts/register-ts.js bench/native-overhead.ts [iters]
// PyTorch is Debian's python3-torch for /usr/bin/python3 (override with PYTHON=...).
import { execFileSync } from 'child_process';
import * as path from 'path';
import { tensor, randn, manualSeed, getNumThreads, addonInfo, Tensor } from '../lib';

const iters = Number(process.argv[2] ?? 20000);
const python = process.env.PYTHON ?? '/usr/bin/python3';

type Timing = { cpu: number; wall: number };

// Best of 5 runs, in process CPU time (user + system: time the hypervisor steals from this shared host
// is not counted, so it is the steadier figure) and in wall time.
function perCall(fn: () => Tensor, n: number): Timing {
  for (let i = 0; i < Math.min(1000, n); i++) fn().dispose();
  let cpu = Infinity;
  let wall = Infinity;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn().dispose();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e3 / n);
    cpu = Math.min(cpu, (c.user + c.system) / n);
  }
  return { cpu, wall };
}

manualSeed(0);
const a = randn([64, 256]);
const b = randn([64, 256]);
const w = randn([256, 256]);
const ids = Int32Array.from({ length: 300 * 64 }, (_, i) => i % 25002);

const ours: Record<string, Timing> = {
  'add 64x256 + 64x256': perCall(() => a.add(b), iters),
  'matmul 64x256 @ 256x256': perCall(() => a.matmul(w), Math.floor(iters / 4)),
  'int64 [300,64] from int32 array': perCall(() => tensor(ids, { shape: [300, 64], dtype: 'int64' }), iters),
};
const theirs = JSON.parse(execFileSync(python, [path.join(__dirname, 'native_overhead.py'), String(iters)], { encoding: 'utf8' }));

const env = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'OMP_NUM_THREADS'].map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(' ');
console.log(`native-overhead: ${iters} calls per op, best of 5 runs; libtorch ${addonInfo.libtorchVersion} (${addonInfo.variant}), PyTorch ${theirs._version}`);
console.log(`threads: torch-sentiment ${getNumThreads()}, PyTorch ${theirs._threads}; ${env}`);
console.log('');
console.log('| op | torch-sentiment CPU µs/call | PyTorch CPU µs/call | ratio | torch-sentiment wall µs | PyTorch wall µs | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
let worst = 0;
for (const op of Object.keys(ours)) {
  const a = ours[op];
  const b = theirs[op] as Timing;
  worst = Math.max(worst, a.cpu / b.cpu);
  console.log(`| ${op} | ${a.cpu.toFixed(2)} | ${b.cpu.toFixed(2)} | ${(a.cpu / b.cpu).toFixed(2)} | ${a.wall.toFixed(2)} | ${b.wall.toFixed(2)} | ${(a.wall / b.wall).toFixed(2)} |`);
}
console.log('');
console.log(`target: no op slower than PyTorch per call (CPU-time ratio <= 1.00): ${worst <= 1 ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)})`);
