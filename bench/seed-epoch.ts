// One epoch of the tutorial's seed model (Embedding 25,002x100 -> RNN 256 -> Linear, SGD 1e-3, batch
// 64, 274 batches of the IMDb training split) in torch-sentiment and in PyTorch from Python, on
// identical batches (same token ids, lengths, order) from identical initial weights, side by side.
// Our time includes making the batches with our BucketIterator; PyTorch gets its batches ready-made.
// Each setting runs in a fresh process, with glibc's default allocator thresholds and tuned ones.
//
// Run: node -r ./scripts/register-ts.js bench/seed-epoch.ts --data ../shared/data/aclImdb-labelled.tar.gz [--device cpu|cuda] [--settings default,tuned]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const given = arg('data', process.env.TORCH_SENTIMENT_IMDB ?? '');
const source = given && path.resolve(given);
if (!given) {
  console.error('seed-epoch: pass --data PATH (an IMDb archive or folder) or set TORCH_SENTIMENT_IMDB');
  process.exit(2);
}
const device = arg('device', 'cpu');
const settings = arg('settings', 'default,tuned').split(',');
const python = process.env.PYTHON ?? '/usr/bin/python3';
const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-epoch-'));
const dump = path.join(tmp, 'batches');
const TUNED = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };

type Result = { seconds: number; loss: number; acc: number; batches?: number; padding?: number; threads?: number; version?: string };
const clean = { ...process.env };
delete clean.MALLOC_MMAP_THRESHOLD_;
delete clean.MALLOC_TRIM_THRESHOLD_;

function node(setting: string, first: boolean): Result {
  // From TypeScript sources through register-ts, or the compiled copy beside this file (GPU kit).
  const script = __filename.endsWith('.ts') ? ['-r', './scripts/register-ts.js', 'bench/seed-epoch-node.ts'] : [path.join(__dirname, 'seed-epoch-node.js')];
  const a = [...script, '--data', source, '--device', device];
  if (setting === 'tuned') a.push('--tuned');
  if (first) a.push('--dump', dump);
  const out = execFileSync(process.execPath, a, { cwd: root, env: clean, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

function py(setting: string): Result {
  const env = setting === 'tuned' ? { ...clean, ...TUNED } : clean;
  const out = execFileSync(python, [path.join(__dirname, 'seed_epoch.py'), `${dump}.bin`, `${dump}.json`], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

const rows: string[] = [];
let first = true;
let info: Result | null = null;
for (const setting of settings) {
  const ours = node(setting, first);
  if (first) info = ours;
  first = false;
  const theirs = py(setting);
  const label = setting === 'tuned' ? 'tuned (tuneAllocator / MALLOC_MMAP_THRESHOLD_=32MiB MALLOC_TRIM_THRESHOLD_=256MiB)' : "glibc defaults";
  rows.push(`| ${label} | ${ours.seconds.toFixed(2)} | ${theirs.seconds.toFixed(2)} | ${(ours.seconds / theirs.seconds).toFixed(2)} | ${ours.loss.toFixed(6)} / ${theirs.loss.toFixed(6)} |`);
  if (!info?.threads) info = { ...(info as Result), threads: theirs.threads, version: theirs.version };
}
console.log(`seed-epoch on ${device}: ${info?.batches} batches of 64, padding ${(100 * (info?.padding ?? 0)).toFixed(1)}% of batch tokens; PyTorch ${info?.version}, ${info?.threads} intra-op thread(s) on both sides; ${os.cpus().length} cores (${os.cpus()[0]?.model})`);
console.log('');
console.log('| allocator | torch-sentiment epoch (s) | PyTorch epoch (s) | ratio | mean train loss (ours / PyTorch) |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) console.log(r);
fs.rmSync(tmp, { recursive: true, force: true });
