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
    // Rank 0 alone prints (the launcher prefixes its lines); 45 training examples -> 23 per rank -> 3 batches of 8.
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
