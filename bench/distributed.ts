// Data-parallel training on this machine's CPU: one epoch of a tutorial model with `torch-sentiment
// train` in 1 process and with `--nproc 2` (c10d Gloo, DistributedDataParallel, one intra-op thread per
// process), on the real IMDb archive; prints the epoch's training time, the speed-up and the final
// validation accuracy of each, side by side. Each configuration is a fresh `train` run; data loading
// (IMDB.splits, vocabulary) is not in the epoch time.
//
// Two ways to use 2 processes (--mode, default both):
//   same-batch  each rank takes 32 of the 64-example batch: the same global batch, steps and learning
//               rate as 1 process (the same optimisation, up to shuffling and float rounding)
//   lr-scaled   each rank takes a full batch of 64 (a global batch of 128, half the steps) with the
//               learning rate doubled (the linear scaling rule of Goyal et al., 2017)
//
// Run: npm run bench:distributed -- [--models fasttext,rnn] [--mode same-batch|lr-scaled|both]
//      [--data ARCHIVE] [--tokenizer spacy|basic_english]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const root = path.resolve(__dirname, '..');
const data = path.resolve(arg('data', process.env.TORCH_SENTIMENT_IMDB ?? path.join(root, '..', 'shared', 'data', 'aclImdb-labelled.tar.gz')));
if (!fs.existsSync(data)) {
  console.error(`distributed: --data: ${data} not found; pass --data PATH or set TORCH_SENTIMENT_IMDB`);
  process.exit(2);
}
const models = arg('models', 'fasttext,rnn').split(',');
const mode = arg('mode', 'both');
const tokenizer = arg('tokenizer', 'spacy');
// The tutorials' settings for one epoch: the seed RNN with SGD lr 1e-3, FastText with Adam 1e-3.
const LR: Record<string, number> = { rnn: 1e-3, fasttext: 1e-3, lstm: 1e-3, cnn: 1e-3 };

interface Run {
  label: string;
  nproc: number;
  batch: number;
  lr: number;
  trainSeconds: number;
  epochSeconds: number;
  validAcc: number;
  testAcc: number;
}

function train(model: string, label: string, nproc: number, batch: number, lr: number): Run {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-dist-${model}-`));
  const argv = ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', 'train', '--model', model, '--epochs', '1', '--batch-size', String(batch), '--lr', String(lr),
    '--tokenizer', tokenizer, '--threads', '1', '--data', data, '--out', out, '--no-progress', ...(nproc > 1 ? ['--nproc', String(nproc)] : ['--device', 'cpu'])];
  const stdout = execFileSync(process.execPath, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TORCH_SENTIMENT_IMDB: '' } });
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });
  const e = metrics.epochs[0];
  const run = { label, nproc, batch, lr, trainSeconds: e.trainSeconds, epochSeconds: e.seconds, validAcc: e.validAcc, testAcc: metrics.test.acc };
  console.log(`  ${model} ${label}: train ${run.trainSeconds.toFixed(1)} s, epoch ${run.epochSeconds.toFixed(1)} s, valid ${(run.validAcc * 100).toFixed(2)}%  (${stdout.split('\n').filter((l) => /epoch 1:/.test(l)).join(' ').trim()})`);
  return run;
}

console.log(`bench/distributed: ${os.cpus().length} cores (${os.cpus()[0]?.model}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}, tokenizer ${tokenizer}`);
const rows: string[] = [];
for (const model of models) {
  const lr = LR[model] ?? 1e-3;
  const one = train(model, '1 process, batch 64', 1, 64, lr);
  const runs: Run[] = [];
  if (mode === 'same-batch' || mode === 'both') runs.push(train(model, '2 processes x batch 32', 2, 32, lr));
  if (mode === 'lr-scaled' || mode === 'both') runs.push(train(model, '2 processes x batch 64, lr x2', 2, 64, lr * 2));
  for (const r of [one, ...runs]) {
    rows.push(`| ${model} | ${r.label} | ${r.trainSeconds.toFixed(1)} s | ${(one.trainSeconds / r.trainSeconds).toFixed(2)}x | ${r.epochSeconds.toFixed(1)} s | ${(one.epochSeconds / r.epochSeconds).toFixed(2)}x | ${(r.validAcc * 100).toFixed(2)}% | ${((r.validAcc - one.validAcc) * 100).toFixed(2)} pt |`);
  }
}
console.log('\n| model | configuration | train time | speed-up | epoch (train + valid) | speed-up | valid acc | vs 1 process |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
