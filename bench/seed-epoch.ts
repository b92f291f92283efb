// One epoch of the tutorial's seed model (Embedding 25,002x100 -> RNN 256 -> Linear, SGD 1e-3, batch
// 64, 274 batches of the IMDb training split) in torch-sentiment and in PyTorch from Python, on
// identical batches (same token ids, lengths, order) from identical initial weights, side by side.
// Our time includes making the batches with our BucketIterator; PyTorch gets its batches ready-made.
// Each setting runs in a fresh process, the same on both sides:
//   defaults  nothing changed (denormal gradients and OpenBLAS's spinning threads make a CPU epoch
//             take ~10 minutes per side here; not run unless asked)
//   flush     denormals flushed (torch.set_flush_denormal / setFlushDenormal) and OpenBLAS on one
//             thread (OPENBLAS_NUM_THREADS=1 / setBlasThreads(1)), glibc's default allocator
//   tuned     flush + glibc mmap/trim thresholds raised (MALLOC_*_THRESHOLD_ / tuneAllocator())
//
// Run: node -r ./scripts/register-ts.js bench/seed-epoch.ts --data ../shared/data/aclImdb-labelled.tar.gz [--device cpu|cuda] [--settings flush,tuned]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chooseOpenblasCoretype } from '../lib/openblas';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const given = arg('data', process.env.TORCH_SENTIMENT_IMDB ?? '');
const source = given && path.resolve(given);
if (!given) {
  console.error('seed-epoch: pass --data PATH (an IMDb archive or folder) or set TORCH_SENTIMENT_IMDB');
  process.exit(2);
}
const device = arg('device', 'cpu');
const settings = arg('settings', device === 'cpu' ? 'flush,tuned' : 'defaults').split(',');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-epoch-'));
const dump = path.join(tmp, 'batches');
const TUNED = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };

type Result = { seconds: number; loss: number; acc: number; batches?: number; padding?: number; threads?: number; version?: string; blas?: string | null };
const clean = { ...process.env };
delete clean.MALLOC_MMAP_THRESHOLD_;
delete clean.MALLOC_TRIM_THRESHOLD_;
delete clean.OPENBLAS_NUM_THREADS;
// The same OpenBLAS kernels on both sides: what torch-sentiment would choose (lib/openblas.ts), set
// explicitly for both children, unless OPENBLAS_CORETYPE is already set.
chooseOpenblasCoretype(clean);

function node(setting: string, first: boolean): Result {
  // From TypeScript sources through register-ts, or the compiled copy beside this file (GPU kit).
  const script = __filename.endsWith('.ts') ? ['-r', './scripts/register-ts.js', 'bench/seed-epoch-node.ts'] : [path.join(__dirname, 'seed-epoch-node.js')];
  const a = [...script, '--data', source, '--device', device];
  if (setting === 'tuned') a.push('--tuned');
  if (setting === 'tuned' || setting === 'flush') a.push('--flush');
  if (first) a.push('--dump', dump);
  const out = execFileSync(process.execPath, a, { cwd: root, env: clean, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

function py(setting: string): Result {
  const flush = setting === 'tuned' || setting === 'flush' ? { SEED_EPOCH_FLUSH: '1', OPENBLAS_NUM_THREADS: '1' } : {};
  const env = setting === 'tuned' ? { ...clean, ...TUNED, ...flush } : { ...clean, ...flush };
  const out = execFileSync(python, [path.join(__dirname, 'seed_epoch.py'), `${dump}.bin`, `${dump}.json`], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

const rows: string[] = [];
let first = true;
let info: Result | null = null;
const blas = new Set<string>();
for (const setting of settings) {
  const ours = node(setting, first);
  if (first) info = ours;
  first = false;
  const theirs = py(setting);
  const label = {
    defaults: 'defaults',
    flush: 'flush denormals, 1 BLAS thread, glibc malloc defaults',
    tuned: 'flush denormals, 1 BLAS thread, malloc thresholds 32 MiB / 256 MiB',
  }[setting] ?? setting;
  rows.push(`| ${label} | ${ours.seconds.toFixed(2)} | ${theirs.seconds.toFixed(2)} | ${(ours.seconds / theirs.seconds).toFixed(2)} | ${ours.loss.toFixed(6)} / ${theirs.loss.toFixed(6)} |`);
  if (!info?.threads) info = { ...(info as Result), threads: theirs.threads, version: theirs.version };
  blas.add(`${ours.blas ?? 'not OpenBLAS'} / ${theirs.blas ?? 'not OpenBLAS'}`);
}
console.log(`seed-epoch on ${device}: ${info?.batches} batches of 64, padding ${(100 * (info?.padding ?? 0)).toFixed(1)}% of batch tokens; PyTorch ${info?.version}, ${info?.threads} intra-op thread(s) on both sides; OpenBLAS kernels (ours / PyTorch): ${[...blas].join(', ')}; ${os.cpus().length} cores (${os.cpus()[0]?.model})`);
console.log('');
console.log('| settings (both sides) | torch-sentiment epoch (s) | PyTorch epoch (s) | ratio | mean train loss (ours / PyTorch) |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) console.log(r);
fs.rmSync(tmp, { recursive: true, force: true });
