// Which OpenBLAS kernels to run: OpenBLAS's own choice against SkylakeX, side by side (lib/openblas.ts
// forces SkylakeX or Haswell only on Intel; this is the measurement that decides other CPUs, e.g. AMD
// Zen 4 with AVX-512). Run: npm run bench:openblas [-- rounds]
//
// OPENBLAS_CORETYPE is read once, when OpenBLAS loads, so each setting runs in a fresh child process:
// OpenBLAS detecting the CPU itself, or SkylakeX. The two alternate, the order flipping every round, so both see the same
// spells of a shared host; each child times, in process CPU time, a 64x256 @ 256x256 float32 matmul
// and the tutorial's training step (RNNClassifier(25002, 100, 256, 1), one [50, 64] batch, SGD,
// BCEWithLogitsLoss), one thread, and reports its medians. The table gives the median over rounds per
// setting and the median of the per-round ratios SkylakeX / own choice (below 1: SkylakeX is faster).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  addonInfo, manualSeed, models, nn, optim, randint, randn, setBlasThreads, setFlushDenormal, setNumThreads, Tensor,
} from '../lib';

// value undefined: OPENBLAS_CORETYPE unset, and the child hides lib/openblas.ts's choice from OpenBLAS
// (process.env replaced by a copy before the library loads), so OpenBLAS detects the CPU itself. An
// empty value is no way to ask for that: OpenBLAS 0.3.21 then picks kernels of its own (SkylakeX here).
const SETTINGS: Array<{ name: string; value: string | undefined }> = [
  { name: "OpenBLAS's own choice", value: undefined },
  { name: 'SkylakeX', value: 'SkylakeX' },
];

interface ChildResult {
  core: string | null;
  sgemmUs: number;
  stepMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** CPU time (user + system) of fn, in ms. */
function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3;
}

function child(): void {
  setNumThreads(1);
  setBlasThreads(1);
  setFlushDenormal(true); // as the tutorial does
  manualSeed(0);
  const a = randn([64, 256]);
  const b = randn([256, 256]);
  const sgemm = (n: number): number => cpuMs(() => {
    for (let i = 0; i < n; i++) a.matmul(b).dispose();
  }) * 1e3 / n;
  sgemm(2000); // warm-up
  const sgemmUs = median(Array.from({ length: 7 }, () => sgemm(500)));

  const model = new models.RNNClassifier(25002, 100, 256, 1);
  const opt = new optim.SGD(model.parameters(), { lr: 1e-3 });
  const crit = new nn.BCEWithLogitsLoss();
  const text = randint(0, 25002, [50, 64]);
  const labels = randint(0, 2, [64]).float();
  const step = (): number => cpuMs(() => {
    opt.zeroGrad();
    const logits: Tensor = model.forward(text).squeeze(1);
    const loss = crit.forward(logits, labels);
    loss.backward();
    opt.step();
    for (const t of [logits, loss]) t.dispose();
  });
  step();
  step();
  const stepMs = median(Array.from({ length: 8 }, step));
  const result: ChildResult = { core: addonInfo.blas.core, sgemmUs, stepMs };
  console.log(JSON.stringify(result));
}

function runChild(value: string | undefined): ChildResult {
  const root = path.resolve(__dirname, '..');
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  if (value !== undefined) env.OPENBLAS_CORETYPE = value;
  const load = `${value === undefined ? 'process.env = { ...process.env }; ' : ''}require('./bench/openblas-coretype.ts');`;
  const r = spawnSync(process.execPath, ['-r', './scripts/register-ts.js', '-e', load, '--', '--child'], { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child with OPENBLAS_CORETYPE=${value ?? '(unset)'} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function parent(rounds: number): void {
  const results = SETTINGS.map(() => [] as ChildResult[]);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const i of order) results[i].push(runChild(SETTINGS[i].value));
  }
  const cpu = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? process.arch;
  console.log(`CPU: ${cpu}; ${rounds} rounds, one fresh process per setting and round, CPU time, one thread`);
  const rows = SETTINGS.map((s, i) => [
    s.name,
    [...new Set(results[i].map((r) => r.core))].join(', '),
    median(results[i].map((r) => r.sgemmUs)).toFixed(1),
    median(results[i].map((r) => r.stepMs)).toFixed(0),
  ]);
  const ratio = (key: 'sgemmUs' | 'stepMs'): string =>
    median(results[1].map((r, k) => r[key] / results[0][k][key])).toFixed(2);
  rows.push(['SkylakeX / own choice', '', ratio('sgemmUs'), ratio('stepMs')]);
  const head = ['OPENBLAS_CORETYPE', 'kernels', 'sgemm 64x256@256x256 (µs)', 'training step (ms)'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
}

if (process.argv.includes('--child')) child();
else parent(Number(process.argv[2] ?? 3));
