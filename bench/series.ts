// The series' models trained to the end, in torch-sentiment and in PyTorch on the same data: for each
// model, the CLI's run (bench/series-node.ts: 5 epochs, the tutorials' hyperparameters, the best
// validation loss's weights on the test split) and the same training in PyTorch from Python
// (bench/series.py): the same initial weights, every epoch's batches in the same order, the same
// optimizer and seed. Prints one table: parameters, test accuracy on both sides and their difference,
// epoch and total training time on both sides, and the first epoch's mean training loss on both (equal
// to 6 decimals when both did the same work).
//
// Run: node -r ./scripts/register-ts.js bench/series.ts [--model rnn,fasttext,cnn (default; lstm too,
//      but PyTorch's packed LSTM takes ~1 hour an epoch on one CPU core)] [--epochs 5]
//      [--data ARCHIVE] [--device cpu|cuda] [--no-python] [--parallel (PyTorch trains while Node does,
//      one core each: the accuracies are unchanged, the times are then those of a shared host)]
import { spawn } from 'child_process';
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
  console.error(`series: --data: expected an IMDb archive or folder, got ${JSON.stringify(source)} (not found)`);
  process.exit(2);
}
const modelNames = arg('model', 'rnn,fasttext,cnn').split(',');
for (const m of modelNames) {
  if (m === 'nbsvm' || !(MODEL_NAMES as readonly string[]).includes(m)) {
    console.error(`series: --model: expected a comma list of rnn, lstm, fasttext, cnn, got ${JSON.stringify(m)}`);
    process.exit(2);
  }
}
const epochs = Number(arg('epochs', '5'));
if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 100)) {
  console.error(`series: --epochs: expected an integer in [1, 100], got ${JSON.stringify(arg('epochs', ''))}`);
  process.exit(2);
}
const device = arg('device', 'cpu');
const withPython = !args.includes('--no-python');
const parallel = args.includes('--parallel');
const python = process.env.PYTHON ?? '/usr/bin/python3';

// Both sides: one intra-op thread, OpenBLAS on one thread with the same kernels, glibc's mmap/trim
// thresholds as tuneAllocator() sets them (the CLI calls it).
const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };
chooseOpenblasCoretype(env);

interface EpochOut { train: { loss: number; acc: number }; valid: { loss: number; acc: number }; seconds: number; trainSeconds: number; best: boolean }
interface SideOut { epochs: EpochOut[]; test: { loss: number; acc: number }; seconds: number; params?: number; blas?: string | null; version?: string }

function runChild(name: string, cmd: string, argv: string[], onLine?: (line: string) => void): Promise<SideOut> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split('\n')) if (line) onLine?.(line);
    });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as SideOut);
    });
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  console.log(`| model | parameters | test acc, torch-sentiment | test acc, PyTorch | difference (points) | epoch (train + valid, s), ours / PyTorch | training total (s), ours / PyTorch | epoch 1 mean train loss, ours / PyTorch |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  const notes = new Set<string>();
  for (const model of modelNames) {
    const dump = fs.mkdtempSync(path.join(os.tmpdir(), `series-${model}-`));
    try {
      let startPython: () => void = () => {};
      const dumped = new Promise<void>((resolve) => (startPython = resolve));
      // From TypeScript sources through register-ts, or the compiled copy beside this file (GPU kit).
      const script = __filename.endsWith('.ts') ? ['-r', './scripts/register-ts.js', 'bench/series-node.ts'] : [path.join(__dirname, 'series-node.js')];
      const oursP = runChild('series-node', process.execPath, [...script, '--model', model, '--epochs', String(epochs), '--data', source, '--device', device, '--dump', dump], (line) => {
        if (line === 'series-node: dumped') startPython();
        else process.stderr.write(`${line}\n`);
      });
      let theirs: SideOut | null = null;
      let ours: SideOut;
      if (withPython && parallel) {
        await Promise.race([dumped, oursP]);
        [ours, theirs] = await Promise.all([oursP, runChild('series.py', python, [path.join(__dirname, 'series.py'), dump])]);
      } else {
        ours = await oursP;
        if (withPython) theirs = await runChild('series.py', python, [path.join(__dirname, 'series.py'), dump]);
      }
      const epochTime = (s: SideOut) => mean(s.epochs.map((e) => e.seconds)).toFixed(1);
      const loss1 = (s: SideOut) => s.epochs[0].train.loss.toFixed(6);
      const diff = theirs ? (100 * (ours.test.acc - theirs.test.acc)).toFixed(2) : '—';
      console.log(
        `| ${model} | ${ours.params?.toLocaleString('en-US')} | ${pct(ours.test.acc)} | ${theirs ? pct(theirs.test.acc) : 'not run'} | ${diff} | ${epochTime(ours)} / ${theirs ? epochTime(theirs) : '—'} | ${ours.seconds.toFixed(0)} / ${theirs ? theirs.seconds.toFixed(0) : '—'} | ${loss1(ours)} / ${theirs ? loss1(theirs) : '—'}${theirs && loss1(ours) !== loss1(theirs) ? ' (differ)' : ''} |`,
      );
      for (const [side, s] of [['torch-sentiment', ours], ['PyTorch', theirs]] as const) {
        if (s) notes.add(`${model}, ${side}: valid acc by epoch ${s.epochs.map((e) => `${pct(e.valid.acc)}${e.best ? '*' : ''}`).join(' ')}`);
      }
      if (theirs) notes.add(`PyTorch ${theirs.version}; OpenBLAS kernels (ours / PyTorch): ${ours.blas ?? 'not OpenBLAS'} / ${theirs.blas ?? 'not OpenBLAS'}`);
    } finally {
      fs.rmSync(dump, { recursive: true, force: true });
    }
  }
  console.log('');
  for (const n of notes) console.log(n);
  console.log(`(* the epoch whose weights went to the test split: the best validation loss.) ${epochs} epochs on ${device}, batches of 64, seed 1234, the 17,500 / 7,500 / 25,000 split; ${parallel ? 'both sides at once, one core each' : 'one side at a time'}; ${os.cpus().length} cores (${os.cpus()[0]?.model}); load average ${os.loadavg()[0].toFixed(1)} at the end`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
