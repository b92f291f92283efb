// `torch-sentiment train --nproc 2`: two ranks under the launcher, DDP, a sharded training set; rank 0
// alone writes the run (a checkpoint with the model's own names, loadable by predict).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { distributed, load } from '../../lib';
import { syntheticImdb } from '../helpers/synthetic-imdb';

const root = path.resolve(__dirname, '..', '..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TORCH_SENTIMENT_IMDB: '' },
    timeout: 240_000,
  });
}

const available = distributed.isAvailable();
if (!available) console.warn(`skipping train --nproc: ${distributed.availability().reason}`);
const maybe = available ? describe : describe.skip;

maybe('train --nproc', () => {
  const data = syntheticImdb(32);

  test('2 processes: one report, one bundle, equal shards, no rank files left', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'train-nproc-'));
    const before = new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('torch-sentiment-rank')));
    const t = cli('train', '--nproc', '2', '--data', path.join(data, 'aclImdb'), '--epochs', '2', '--batch-size', '8', '--model', 'fasttext', '--lr', '0.05', '--tokenizer', 'whitespace', '--out', out, '--no-progress');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    // Rank 0 alone prints (the launcher prefixes its lines); 45 training examples -> 3 global batches of 16.
    expect(t.stdout).toMatch(/\[rank 0\] data: 45 train \/ 19 valid \/ 64 test/);
    expect(t.stdout).toMatch(/2 processes \(DistributedDataParallel, 3 batches each per epoch\)/);
    expect(t.stdout).not.toMatch(/\[rank 1\]/);
    expect(t.stdout.match(/epoch \d+: train loss/g)).toHaveLength(2);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.settings.worldSize).toBe(2);
    expect(metrics.epochs).toHaveLength(2);
    expect(Object.keys(load(path.join(out, 'bundle', 'model.pt')))).toEqual(['embedding.weight', 'fc.weight', 'fc.bias']);
    expect(Object.keys(load(path.join(out, 'model-best.pt')))).toEqual(['embedding.weight', 'fc.weight', 'fc.bias']);
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('torch-sentiment-rank') && !before.has(f));
    expect(after).toEqual([]);
    const p = cli('predict', '--model-dir', path.join(out, 'bundle'), 'a fine film');
    expect(p.status).toBe(0);
  });

  test('2 processes x batch 4 train the same model as 1 process x batch 8', () => {
    // 56 training reviews: 7 global batches of 8, so every part of every batch has 4 reviews (DDP
    // averages the ranks' means: equal to the batch's mean only for equal parts).
    const even = syntheticImdb(40);
    const runs = [['--nproc', '2', '--batch-size', '4'], ['--batch-size', '8', '--device', 'cpu']].map((extra) => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'train-same-'));
      const t = cli('train', ...extra, '--data', path.join(even, 'aclImdb'), '--epochs', '2', '--model', 'fasttext', '--optimizer', 'sgd', '--lr', '0.5', '--tokenizer', 'whitespace', '--out', out, '--no-progress', '--threads', '1');
      expect(t.stderr).toBe('');
      expect(t.status).toBe(0);
      const weights = load(path.join(out, 'model-best.pt'));
      const flat = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, Array.from(v.toTypedArray() as Float32Array)]));
      for (const v of Object.values(weights)) v.dispose();
      return { flat, metrics: JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')) };
    });
    const [ddp, one] = runs;
    let worst = 0;
    for (const k of Object.keys(one.flat)) one.flat[k].forEach((x, i) => (worst = Math.max(worst, Math.abs(x - ddp.flat[k][i]))));
    console.log(`train --nproc 2 --batch-size 4 vs --batch-size 8: max weight difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
    for (let e = 0; e < 2; e++) expect(ddp.metrics.epochs[e].validLoss).toBeCloseTo(one.metrics.epochs[e].validLoss, 5);
    // Training moved the weights: the two runs are not two equal initialisations.
    expect(one.metrics.epochs[1].validLoss).not.toBeCloseTo(one.metrics.epochs[0].validLoss, 3);
  });

  test('usage errors: nbsvm, a CUDA device', () => {
    for (const [args, message] of [
      [['train', '--nproc', '2', '--model', 'nbsvm'], /--nproc: nbsvm trains in one process/],
      [['train', '--nproc', '2', '--device', 'cuda'], /--nproc: data-parallel training runs on the CPU/],
      [['train', '--nproc', '0'], /--nproc expects an integer in \[1, 1024\], got '0'/],
    ] as Array<[string[], RegExp]>) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
