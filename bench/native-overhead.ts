// Per-call time of small ops in this package and in PyTorch from Python (same libtorch), side by side.
// Run: node -r ./scripts/register-ts.js bench/native-overhead.ts [iters]
// PyTorch is Debian's python3-torch for /usr/bin/python3 (override with PYTHON=...).
//
// Like with like: each side runs in its own process, under the same settings, and the two are sampled
// in fine alternation: one timed run (13-100 ms) of an op in Node, then the same in Python, and so
// on (the order flips every round). This shared host's speed drifts by 10-25% over seconds, so the
// best of N runs of identical work differs by up to 7% between two processes; but two runs side by
// side see the same spell. So the comparison is paired: the ratio ours / PyTorch's of each pair of
// neighbouring runs. Memory placement differs from one process to the next and moves all of a
// process's runs together, so each fresh pair of processes counts once, as the median of its paired
// ratios; the figure is the median of those over 9 process pairs (5 rounds each), with a 95%
// confidence interval (order statistics, exact binomial). An op is "slower" only when that whole
// interval lies above 1. The best and median times per side are printed too.
// OpenBLAS is pinned to one thread on both sides (OPENBLAS_NUM_THREADS=1; otherwise its
// thread hand-offs on this 2-core host make the matmul figure swing by +-40%). Two allocator settings:
// glibc's defaults, and raised mmap/trim thresholds (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_,
// what tuneAllocator() sets), given to both processes through the environment.
import { ChildProcessWithoutNullStreams, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { tensor, randn, manualSeed, getNumThreads, addonInfo, Tensor, setBlasThreads } from '../lib';

type Timing = { cpu: number; wall: number };

const OPS = ['add 64x256 + 64x256', 'matmul 64x256 @ 256x256', 'int64 [300,64] from int32 array'];
const PAIRS = 9;
/** Untimed calls of each op in each fresh process before its first timed run (both sides). */
const WARMUP = 20000;
const ROUNDS = 5;

// One timed run of n calls, in process CPU time (user + system: time the hypervisor steals from this
// shared host is not counted, so it is the steadier figure) and in wall time, µs per call.
function run(fn: () => Tensor, n: number): Timing {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn().dispose();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / n, wall: Number(process.hrtime.bigint() - t0) / 1e3 / n };
}

/** The Node side: a server in this (child) process, one timed run per op name read from stdin. */
function serve(iters: number): void {
  setBlasThreads(1);
  manualSeed(0);
  const a = randn([64, 256]);
  const b = randn([64, 256]);
  const w = randn([256, 256]);
  const ids = Int32Array.from({ length: 300 * 64 }, (_, i) => i % 25002);
  const ops: Record<string, [() => Tensor, number]> = {
    [OPS[0]]: [() => a.add(b), iters],
    [OPS[1]]: [() => a.matmul(w), Math.max(1, Math.floor(iters / 100))],
    [OPS[2]]: [() => tensor(ids, { shape: [300, 64], dtype: 'int64' }), iters],
  };
  // Steady state: V8 optimizes a function after enough calls, and the matmul runs only 200 calls per
  // timed run, so with a short warm-up its JS path was still unoptimized through much of the bench
  // (~1 µs per call more). WARMUP calls of each op first, on both sides alike.
  for (const [fn] of Object.values(ops)) run(fn, WARMUP);
  process.stdout.write(JSON.stringify({ threads: getNumThreads(), blas: addonInfo.blas.core }) + '\n');
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [fn, n] = ops[line.trim()];
    process.stdout.write(JSON.stringify(run(fn, n)) + '\n');
  });
}

const TUNED = { MALLOC_MMAP_THRESHOLD_: String(1 << 30), MALLOC_TRIM_THRESHOLD_: String(1 << 30) };

/** A child process answering one JSON line per request line. */
class Side {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  constructor(side: 'node' | 'python', tuned: boolean, iters: number) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', ...(tuned ? TUNED : {}) };
    if (!tuned) {
      delete env.MALLOC_MMAP_THRESHOLD_;
      delete env.MALLOC_TRIM_THRESHOLD_;
    }
    this.proc = side === 'node'
      ? spawn(process.execPath, ['-r', path.join(__dirname, '..', 'scripts', 'register-ts.js'), __filename, '--serve', String(iters)], { env })
      : spawn(process.env.PYTHON ?? '/usr/bin/python3', [path.join(__dirname, 'native_overhead.py'), String(iters), String(WARMUP)], { env });
    this.proc.stderr.pipe(process.stderr);
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error('benchmark child exited early');
    return JSON.parse(r.value);
  }
  async time(op: string): Promise<Timing> {
    this.proc.stdin.write(op + '\n');
    return (await this.next()) as Timing;
  }
  close(): void {
    this.proc.stdin.end();
  }
}

type Samples = Record<string, { node: Timing[]; python: Timing[] }>;

async function measure(tuned: boolean, iters: number, meta: Record<string, unknown>): Promise<Samples> {
  const samples: Samples = {};
  for (const op of OPS) samples[op] = { node: [], python: [] };
  for (let p = 0; p < PAIRS; p++) {
    const node = new Side('node', tuned, iters);
    const python = new Side('python', tuned, iters);
    const ours = await node.next();
    meta.ourBlas = ours.blas;
    Object.assign(meta, await python.next());
    for (let r = 0; r < ROUNDS; r++) {
      for (const op of OPS) {
        const order = (r + p) % 2 === 0 ? ([['node', node], ['python', python]] as const) : ([['python', python], ['node', node]] as const);
        for (const [name, side] of order) samples[op][name].push(await side.time(op));
      }
    }
    node.close();
    python.close();
  }
  return samples;
}

// The median of xs and a 95% confidence interval for it: the order statistics ranked k and n+1-k for
// the largest k with P(Binomial(n, 1/2) < k) <= 2.5%.
function medianCI(xs: number[]): { median: number; lo: number; hi: number } {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  let k = 1;
  let below = Math.pow(0.5, n); // P(X <= k - 1), X ~ Binomial(n, 1/2)
  let term = below;
  while (k < n / 2) {
    term = (term * (n - k + 1)) / k; // P(X = k)
    if (below + term > 0.025) break;
    below += term;
    k++;
  }
  return { median: median(s), lo: s[k - 1], hi: s[n - k] };
}

const min = (xs: number[]): number => Math.min(...xs);
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const iters = Number(process.argv[2] ?? 20000);
  const meta: Record<string, unknown> = {};
  const results = { defaults: await measure(false, iters, meta), tuned: await measure(true, iters, meta) };
  console.log(`native-overhead: runs of ${iters} calls (matmul ${Math.max(1, Math.floor(iters / 100))}), ${PAIRS} process pairs x ${ROUNDS} rounds, Node and Python runs alternating;`);
  console.log(`libtorch ${addonInfo.libtorchVersion} (${addonInfo.variant}), PyTorch ${meta.version} (int64 upload: ${meta.upload}); intra-op threads: torch-sentiment ${getNumThreads()}, PyTorch ${meta.threads}; OPENBLAS_NUM_THREADS=1 on both sides; OpenBLAS kernels: torch-sentiment ${meta.ourBlas}, PyTorch ${meta.blas}`);
  let worst = 0;
  const slower: string[] = [];
  for (const setting of ['defaults', 'tuned'] as const) {
    console.log('');
    console.log(setting === 'defaults' ? 'glibc malloc defaults (both sides):' : `tuned allocator (both sides): MALLOC_MMAP_THRESHOLD_=${TUNED.MALLOC_MMAP_THRESHOLD_} MALLOC_TRIM_THRESHOLD_=${TUNED.MALLOC_TRIM_THRESHOLD_}`);
    console.log('');
    console.log(`| op | torch-sentiment CPU µs/call, best / median | PyTorch CPU µs/call, best / median | paired ratio, median of ${PAIRS} process pairs [95% CI] | verdict | wall µs best, ours / PyTorch |`);
    console.log('|---|---:|---:|---:|---|---:|');
    for (const op of OPS) {
      const ours = results[setting][op].node;
      const theirs = results[setting][op].python;
      // Samples are stored pair by pair, ROUNDS each: one median paired ratio per process pair.
      const perPair: number[] = [];
      for (let p = 0; p < PAIRS; p++) {
        const idx = Array.from({ length: ROUNDS }, (_, r) => p * ROUNDS + r);
        perPair.push(median(idx.map((i) => ours[i].cpu / theirs[i].cpu)));
      }
      const r = medianCI(perPair);
      const verdict = r.lo > 1 ? 'slower' : r.hi < 1 ? 'faster' : 'same within noise';
      if (verdict === 'slower') slower.push(`${op} (${setting})`);
      worst = Math.max(worst, r.median);
      const best = (xs: Timing[]): string => `${min(xs.map((t) => t.cpu)).toFixed(2)} / ${median(xs.map((t) => t.cpu)).toFixed(2)}`;
      const wall = `${min(ours.map((t) => t.wall)).toFixed(2)} / ${min(theirs.map((t) => t.wall)).toFixed(2)}`;
      console.log(`| ${op} | ${best(ours)} | ${best(theirs)} | ${r.median.toFixed(3)} [${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}] | ${verdict} | ${wall} |`);
    }
  }
  console.log('');
  console.log(`target: no op slower than PyTorch per call, both settings (slower: the 95% CI of the median over ${PAIRS} process pairs of their median paired CPU-time ratio lies above 1): ${slower.length === 0 ? 'met' : 'NOT met: ' + slower.join(', ')} (largest median ratio ${worst.toFixed(3)})`);
}

if (process.argv[2] === '--serve') {
  serve(Number(process.argv[3] ?? 20000));
} else {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
