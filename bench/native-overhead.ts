// Per-call time of small ops in this package and in PyTorch from Python (same libtorch), side by side.
// Run: node -r ./scripts/register-ts.js bench/native-overhead.ts [iters]
// PyTorch is Debian's python3-torch for /usr/bin/python3 (override with PYTHON=...).
//
// Like with like: each side runs in its own fresh process, under the same settings, alternately, three
// rounds; each figure is the best of its rounds. OpenBLAS is pinned to one thread on both sides
// (OPENBLAS_NUM_THREADS=1; otherwise its thread hand-offs on this 2-core host make the matmul figure
// swing by +-40% from run to run). Two allocator settings: glibc's defaults, and raised mmap/trim
// thresholds (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_, what tuneAllocator() sets), given to both
// processes through the environment.
import { execFileSync } from 'child_process';
import * as path from 'path';
import { tensor, randn, manualSeed, getNumThreads, addonInfo, Tensor, setBlasThreads } from '../lib';

type Timing = { cpu: number; wall: number };

const OPS = ['add 64x256 + 64x256', 'matmul 64x256 @ 256x256', 'int64 [300,64] from int32 array'];

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

/** The Node side, in this (child) process. */
function measureHere(iters: number): Record<string, Timing> {
  setBlasThreads(1);
  manualSeed(0);
  const a = randn([64, 256]);
  const b = randn([64, 256]);
  const w = randn([256, 256]);
  const ids = Int32Array.from({ length: 300 * 64 }, (_, i) => i % 25002);
  return {
    [OPS[0]]: perCall(() => a.add(b), iters),
    [OPS[1]]: perCall(() => a.matmul(w), Math.floor(iters / 4)),
    [OPS[2]]: perCall(() => tensor(ids, { shape: [300, 64], dtype: 'int64' }), iters),
  };
}

const TUNED = { MALLOC_MMAP_THRESHOLD_: String(1 << 30), MALLOC_TRIM_THRESHOLD_: String(1 << 30) };

function child(side: 'node' | 'python', tuned: boolean, iters: number): Record<string, Timing> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', ...(tuned ? TUNED : {}) };
  if (!tuned) {
    delete env.MALLOC_MMAP_THRESHOLD_;
    delete env.MALLOC_TRIM_THRESHOLD_;
  }
  const out = side === 'node'
    ? execFileSync(process.execPath, ['-r', path.join(__dirname, '..', 'scripts', 'register-ts.js'), __filename, '--child', String(iters)], { encoding: 'utf8', env })
    : execFileSync(process.env.PYTHON ?? '/usr/bin/python3', [path.join(__dirname, 'native_overhead.py'), String(iters)], { encoding: 'utf8', env });
  return JSON.parse(out);
}

function best(runs: Array<Record<string, Timing>>): Record<string, Timing> {
  const r: Record<string, Timing> = {};
  for (const op of OPS) r[op] = { cpu: Math.min(...runs.map((x) => x[op].cpu)), wall: Math.min(...runs.map((x) => x[op].wall)) };
  return r;
}

function main(): void {
  const iters = Number(process.argv[2] ?? 20000);
  const rounds = 3;
  const results: Record<string, { node: Array<Record<string, Timing>>; python: Array<Record<string, Timing>> }> = {
    defaults: { node: [], python: [] },
    tuned: { node: [], python: [] },
  };
  let pyMeta: Record<string, unknown> = {};
  for (let r = 0; r < rounds; r++) {
    for (const setting of ['defaults', 'tuned'] as const) {
      results[setting].node.push(child('node', setting === 'tuned', iters));
      const py = child('python', setting === 'tuned', iters);
      pyMeta = py as Record<string, unknown>;
      results[setting].python.push(py);
    }
  }
  console.log(`native-overhead: ${iters} calls per op, best of 5 runs per process, best of ${rounds} alternating processes per side;`);
  console.log(`libtorch ${addonInfo.libtorchVersion} (${addonInfo.variant}), PyTorch ${pyMeta._version}; intra-op threads: torch-sentiment ${getNumThreads()}, PyTorch ${pyMeta._threads}; OPENBLAS_NUM_THREADS=1 on both sides`);
  let worst = 0;
  for (const setting of ['defaults', 'tuned'] as const) {
    const ours = best(results[setting].node);
    const theirs = best(results[setting].python);
    console.log('');
    console.log(setting === 'defaults' ? "glibc malloc defaults (both sides):" : `tuned allocator (both sides): MALLOC_MMAP_THRESHOLD_=${TUNED.MALLOC_MMAP_THRESHOLD_} MALLOC_TRIM_THRESHOLD_=${TUNED.MALLOC_TRIM_THRESHOLD_}`);
    console.log('');
    console.log('| op | torch-sentiment CPU µs/call | PyTorch CPU µs/call | ratio | torch-sentiment wall µs | PyTorch wall µs | ratio |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const op of OPS) {
      const a = ours[op];
      const b = theirs[op];
      worst = Math.max(worst, a.cpu / b.cpu);
      console.log(`| ${op} | ${a.cpu.toFixed(2)} | ${b.cpu.toFixed(2)} | ${(a.cpu / b.cpu).toFixed(2)} | ${a.wall.toFixed(2)} | ${b.wall.toFixed(2)} | ${(a.wall / b.wall).toFixed(2)} |`);
    }
  }
  console.log('');
  console.log(`target: no op slower than PyTorch per call (CPU-time ratio <= 1.00, both settings): ${worst <= 1 ? 'met' : 'NOT met'} (worst ratio ${worst.toFixed(2)})`);
}

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(measureHere(Number(process.argv[3] ?? 20000))));
} else {
  main();
}
