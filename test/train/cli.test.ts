// The torch-sentiment CLI end to end on a small dataset: train saves a bundle that predict and
// evaluate use alone; bad flags and missing files are one-line errors with a non-zero exit.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addonInfo, loadBundle, load } from '../../lib';
import { syntheticImdb } from '../helpers/synthetic-imdb';

const root = path.resolve(__dirname, '..', '..');
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['-r', './scripts/register-ts.js', 'lib/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, TORCH_SENTIMENT_IMDB: '' } });
}

describe('torch-sentiment CLI', () => {
  const data = syntheticImdb(32);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));

  test('--help documents every flag', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const flag of ['--model', '--epochs', '--batch-size', '--vocab-size', '--lr', '--optimizer', '--seed', '--device', '--data', '--out', '--model-dir']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('bad flags and missing files: one line on stderr, non-zero exit', () => {
    const cases: Array<[string[], RegExp]> = [
      [['train', '--epochs', 'x'], /--epochs expects an integer >= 1, got 'x'/],
      [['train', '--model', 'bert'], /--model expects one of rnn, lstm, fasttext, cnn, got 'bert'/],
      [['train', '--bogus'], /Unknown option '--bogus'/],
      [['train', '--data', '/nonexistent/imdb.tar.gz'], /--data: \/nonexistent\/imdb.tar.gz does not exist/],
      [['predict', '--model-dir', '/nonexistent', 'hi'], /bundle folder \/nonexistent does not exist/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['train', '--device', 'tpu'], /--device expects auto, cpu, cuda or cuda:N, got 'tpu'/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  test('train -> bundle -> predict and evaluate', () => {
    const t = cli('train', '--data', path.join(data, 'aclImdb'), '--epochs', '2', '--batch-size', '8', '--model', 'fasttext', '--lr', '0.05', '--tokenizer', 'whitespace', '--out', out, '--no-progress', '--device', 'cpu');
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/data: 45 train \/ 19 valid \/ 64 test/);
    for (const f of ['bundle/model.pt', 'bundle/vocab.json', 'bundle/config.json', 'metrics.json', 'curves.svg']) expect(fs.existsSync(path.join(out, f))).toBe(true);
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.epochs).toHaveLength(2);
    expect(metrics.versions.libtorch).toMatch(/^\d+\.\d+/);
    expect(metrics.versions.blas).toBe(addonInfo.blas.core); // which OpenBLAS kernels ran (null: not OpenBLAS)
    expect(Object.keys(load(path.join(out, 'bundle', 'model.pt')))).toEqual(['embedding.weight', 'fc.weight', 'fc.bias']);

    const p = cli('predict', '--model-dir', path.join(out, 'bundle'), '--device', 'cpu', 'great wonderful superb');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^0\.\d{4} (pos|neg)\n$/);
    const bundle = loadBundle(path.join(out, 'bundle'));
    expect(Number(p.stdout.split(' ')[0])).toBeCloseTo(bundle.predict('great wonderful superb').probability, 4);
    bundle.model.dispose();

    const e = cli('evaluate', path.join(out, 'bundle'), '--data', path.join(data, 'aclImdb'), '--no-progress', '--device', 'cpu');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/test: 64 reviews, loss \d\.\d{3}, acc \d+\.\d{2}%/);
  });

  test('loadBundle names what is missing', () => {
    expect(() => loadBundle(fs.mkdtempSync(path.join(os.tmpdir(), 'empty-bundle-')))).toThrow(/config.json is missing: not a model bundle folder/);
  });
});
