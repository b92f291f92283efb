// One training epoch of each tutorial model (rnn, lstm, fasttext, cnn) in torch-sentiment and in PyTorch
// from Python, side by side: identical initial weights (our state dict, torch.load'ed there), identical
// batches (our BucketIterator's; the same token ids, lengths, labels and order there), the same seed
// before the epoch (the same dropout masks). Our time includes making the batches; PyTorch's batches
// are ready-made tensors. The mean training loss, equal to 6 decimals, checks that both did the same work.
// Each model and setting runs in fresh processes, the same settings on both sides:
//   defaults  nothing changed (on the CPU, denormal gradients make the seed RNN's epoch ~10 min a side)
//   flush     denormals flushed, OpenBLAS on one thread, one intra-op thread; glibc's malloc defaults
//   tuned     flush + glibc's mmap/trim thresholds raised (MALLOC_*_THRESHOLD_ / tuneAllocator())
//
// Run: node -r ./scripts/register-ts.js bench/epoch.ts [--model rnn|lstm|fasttext|cnn|all (or a
//      comma list)] [--device cpu|cuda] [--limit-batches N] [--settings tuned] [--data ARCHIVE]
//      [--repeat N] (N alternating pairs, medians) [--profile [--item-per-batch]] (our side only: host time per phase of train()'s loop, no PyTorch
//      run; --item-per-batch reads each batch's loss back at once, as the loop did before)
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chooseOpenblasCoretype } from '../lib/openblas';
import { MODEL_NAMES } from '../lib/models';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const root = path.resolve(__dirname, '..');
const source = path.resolve(arg('data', process.env.TORCH_SENTIMENT_IMDB ?? path.join(root, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz')));
if (!fs.existsSync(source)) {
  console.error(`epoch: --data: expected an IMDb archive or folder, got ${JSON.stringify(source)} (not found); pass --data PATH or set TORCH_SENTIMENT_IMDB`);
  process.exit(2);
}
const modelArg = arg('model', 'rnn');
const modelNames = modelArg === 'all' ? [...MODEL_NAMES] : modelArg.split(',');
for (const m of modelNames) {
  if (!(MODEL_NAMES as readonly string[]).includes(m)) {
    console.error(`epoch: --model: expected one of ${MODEL_NAMES.join(', ')} or all, got ${JSON.stringify(m)}`);
    process.exit(2);
  }
}
const device = arg('device', 'cpu');
const limit = arg('limit-batches', '');
if (limit && !(Number.isInteger(Number(limit)) && Number(limit) > 0)) {
  console.error(`epoch: --limit-batches: expected a positive integer, got ${JSON.stringify(limit)}`);
  process.exit(2);
}
const settings = arg('settings', device === 'cpu' ? 'tuned' : 'defaults').split(',');
const profile = args.includes('--profile');
// --repeat N: N pairs of runs, alternating sides (ours, PyTorch, ours, ...), for hosts whose speed drifts
// between runs; the table then gives each side's median and the median of the pairs' ratios.
const repeat = Number(arg('repeat', '1'));
if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= 50)) {
  console.error(`epoch: --repeat: expected an integer in [1, 50], got ${JSON.stringify(arg('repeat', ''))}`);
  process.exit(2);
}
const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const python = process.env.PYTHON ?? '/usr/bin/python3';
const TUNED = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };

type Result = {
  seconds: number; loss: number; acc: number; batches?: number; padding?: number; threads?: number; version?: string; blas?: string | null;
  phases?: Record<string, number>;
};
const clean = { ...process.env };
delete clean.MALLOC_MMAP_THRESHOLD_;
delete clean.MALLOC_TRIM_THRESHOLD_;
delete clean.OPENBLAS_NUM_THREADS;
// The same OpenBLAS kernels on both sides: what torch-sentiment would choose (lib/openblas.ts), set
// explicitly for both children, unless OPENBLAS_CORETYPE is already set.
chooseOpenblasCoretype(clean);

function node(model: string, setting: string, dump: string | null): Result {
  // From TypeScript sources through register-ts, or the compiled copy beside this file (GPU kit).
  const script = __filename.endsWith('.ts') ? ['-r', './scripts/register-ts.js', 'bench/epoch-node.ts'] : [path.join(__dirname, 'epoch-node.js')];
  const a = [...script, '--data', source, '--device', device, '--model', model];
  if (limit) a.push('--limit-batches', limit);
  if (setting === 'tuned') a.push('--tuned');
  if (setting === 'tuned' || setting === 'flush') a.push('--flush', '--one-thread');
  if (dump) a.push('--dump', dump);
  if (profile) a.push('--profile');
  if (args.includes('--item-per-batch')) a.push('--item-per-batch');
  const out = execFileSync(process.execPath, a, { cwd: root, env: clean, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

function py(setting: string, dump: string): Result {
  const flush = setting === 'tuned' || setting === 'flush' ? { EPOCH_FLUSH: '1', EPOCH_ONE_THREAD: '1', OPENBLAS_NUM_THREADS: '1' } : {};
  const env = setting === 'tuned' ? { ...clean, ...TUNED, ...flush } : { ...clean, ...flush };
  const out = execFileSync(python, [path.join(__dirname, 'epoch.py'), dump], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop() as string);
}

const load = () => os.loadavg()[0].toFixed(1);
const label: Record<string, string> = { defaults: 'defaults', flush: 'flush, 1 thread', tuned: 'flush, 1 thread, malloc thresholds' };
const notes = new Set<string>();
// Rows are printed as they come: a long run stopped early keeps what it measured.
if (profile) {
  console.log('| model | device | settings | batches | epoch (s) | batch (ms) | forward (ms) | zeroGrad (ms) | backward (ms) | step (ms) | item (ms) | dispose (ms) | mean loss | load (1 min) |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
} else {
  console.log('| model | device | settings (both sides) | batches | torch-sentiment (s) | PyTorch (s) | ratio | mean train loss (ours / PyTorch) | load (1 min, before / after) |');
  console.log('|---|---|---|---:|---:|---:|---:|---|---|');
}
for (const model of modelNames) {
  for (const setting of settings) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `epoch-${model}-`));
    try {
      const before = load();
      if (profile) {
        const ours = node(model, setting, null);
        console.log(`| ${model} | ${device} | ${label[setting] ?? setting} | ${ours.batches} | ${ours.seconds.toFixed(2)} | ${Object.values(ours.phases ?? {}).join(' | ')} | ${ours.loss.toFixed(6)} | ${before} |`);
        continue;
      }
      const ours = node(model, setting, tmp);
      const theirs = py(setting, tmp);
      if (repeat === 1) {
        console.log(`| ${model} | ${device} | ${label[setting] ?? setting} | ${ours.batches} | ${ours.seconds.toFixed(2)} | ${theirs.seconds.toFixed(2)} | ${(ours.seconds / theirs.seconds).toFixed(2)} | ${ours.loss.toFixed(6)} / ${theirs.loss.toFixed(6)}${ours.loss.toFixed(6) === theirs.loss.toFixed(6) ? '' : ' (differ)'} | ${before} / ${load()} |`);
      } else {
        const pairs: Array<[number, number]> = [[ours.seconds, theirs.seconds]];
        for (let i = 1; i < repeat; i++) pairs.push([node(model, setting, null).seconds, py(setting, tmp).seconds]);
        const ratios = pairs.map(([a, b]) => a / b);
        const range = `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
        console.log(`| ${model} | ${device} | ${label[setting] ?? setting} | ${ours.batches} | ${median(pairs.map((p) => p[0])).toFixed(2)} (median of ${repeat}) | ${median(pairs.map((p) => p[1])).toFixed(2)} (median of ${repeat}) | ${median(ratios).toFixed(2)} (pairs ${range}) | ${ours.loss.toFixed(6)} / ${theirs.loss.toFixed(6)}${ours.loss.toFixed(6) === theirs.loss.toFixed(6) ? '' : ' (differ)'} | ${before} / ${load()} |`);
        notes.add(`pairs (ours / PyTorch, s): ${pairs.map(([a, b]) => `${a.toFixed(2)}/${b.toFixed(2)}`).join(', ')}`);
      }
      notes.add(`PyTorch ${theirs.version}, ${theirs.threads} intra-op thread(s); OpenBLAS kernels (ours / PyTorch): ${ours.blas ?? 'not OpenBLAS'} / ${theirs.blas ?? 'not OpenBLAS'}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
}
console.log('');
console.log(`epoch on ${device}${limit ? ` (first ${limit} batches)` : ''}: batches of 64 from the 17,500-review training split; ${[...notes].join('; ')}; ${os.cpus().length} cores (${os.cpus()[0]?.model})`);
